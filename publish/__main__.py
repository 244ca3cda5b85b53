"""`python -m publish COMMAND …`: the same command line as `publish` (publish/cli.py)."""
import sys

from .cli import publish_command

if __name__ == "__main__":
    sys.exit(publish_command())
