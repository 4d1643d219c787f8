"""Benchmarks of the discourse dashboard: `python -m benchmarks.run` (or `make bench`).

Results go to docs/PERFORMANCE.md. Synthetic runs and builds are cached in
benchmarks/cache/ (gitignored); delete it (or pass --refresh-cache) to regenerate them.
"""
