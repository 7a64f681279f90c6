"""Saga step functions: react to events, keep the saga's state, publish the next command."""
