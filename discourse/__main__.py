"""`python -m discourse ...`: the same command as the `discourse` script."""

from discourse.cli import app

app()
