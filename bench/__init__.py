"""Benchmarks: each starts what it measures, and prints its figures beside a baseline from the same run."""
