"""Messaging: publishing envelopes to Pub/Sub and turning push deliveries into handler calls."""
