"""`python -m publish COMMAND …`: the same command line as `publish` (publish/cli.py)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], prog="publish"))
