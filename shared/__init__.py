"""Kiroku's shared core: domain, messages, storage, bus, auth, observability and configuration.

Everything the functions have in common lives here; the functions themselves stay thin entry points.
"""
