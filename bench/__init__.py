"""Benchmarks: each `python -m bench.<name>` makes its own data, prints its figures, and ends
with one JSON line that is also written to bench/results/<name>.json."""
