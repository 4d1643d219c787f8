"""Corpus -> passages -> people -> embeddings -> themes -> topics -> aggregates.

Each stage is one module of pure functions over Polars frames; `pipelines.build`
wires them together, `pipelines.artifacts` is the contract of what a run publishes, and
the `discourse` command (package `discourse`) runs them. The themes stage is
`theme_stage` (classifiers of `theme_classifier`, trained on `theme_labels` by
`theme_training`; `passage_themes` turns their decisions into tables).
"""
