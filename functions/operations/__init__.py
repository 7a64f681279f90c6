"""Functions that keep the system running rather than serve a request: the outbox relay, the bus audit."""
