"""Corpus -> passages -> people -> embeddings -> topics -> aggregates.

Each stage is one module of pure functions over Polars frames; `pipelines.build`
wires them together, `pipelines.artifacts` is the contract of what a run publishes, and
the `discourse` command (package `discourse`) runs them.
"""
