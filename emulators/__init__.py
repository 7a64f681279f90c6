"""The local cloud: official emulators, embedded PostgreSQL and the manifest-driven runner.

Nothing here is deployed; it replaces Google Cloud on a laptop and in the tests.
"""
