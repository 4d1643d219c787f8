"""`python -m discourse ...`: the same command as the `discourse` script."""

from discourse.cli import app

if __name__ == "__main__":  # not when a spawned child process imports it
    app()
