"""Functions that watch the bus without changing anything."""
