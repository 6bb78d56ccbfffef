"""Where records come from: inputs expanded into sources, and sources read into records in order."""
