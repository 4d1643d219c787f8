"""The `discourse` command, above both packages: it runs `pipelines` (ingest, build, update,
verify, ...) and serves `dashboard`."""
