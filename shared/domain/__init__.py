"""The domain: pure decide/evolve functions per aggregate, money and invariants. No I/O is imported here."""
