"""Kiroku's Cloud Functions: thin entry points over `shared/`, one per manifest entry."""
