"""Storekeeper's benchmark harness (issue 7): `python -m bench --help`, docs/performance.md.

A real `storekeeper serve` on SQLite or PostgreSQL, data loaded straight into its database,
load driven over HTTP from a separate process (bench/client.py), compared with the limits
measured in the same run: raw SQLite (bench/raw.py) and a trivial HTTP app (bench/ceiling.py).
"""
