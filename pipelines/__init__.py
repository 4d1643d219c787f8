"""Corpus -> passages -> people -> embeddings -> topics -> aggregates.

Each stage is one module of pure functions over Polars frames; `pipelines.build`
wires them together and `pipelines.cli` is the `discourse` command.
"""
