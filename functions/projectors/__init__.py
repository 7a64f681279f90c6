"""Projector functions: one per read model, applying events idempotently and in version order."""
