"""Files on disk: the walker, selection, the bounded reader, archives, atomic writes."""
