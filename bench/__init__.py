"""The archivekit benchmark: a record generator, the runner, and the stdlib baseline."""
