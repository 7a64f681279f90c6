"""Command handler functions: parse the envelope, load the aggregate, decide, append, publish."""
