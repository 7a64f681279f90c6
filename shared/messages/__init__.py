"""The messages Kiroku's functions exchange: the envelope every command and event travels in."""
