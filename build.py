#!/usr/bin/env python3
"""Build the editions of the publications in content/: `publish build`, run from the repository.

    python build.py                          every edition of every publication
    python build.py gsi-report-2024          one publication (by id or folder)
    python build.py --edition web            one edition (repeatable)
    python build.py check                    validate everything, render nothing
    python build.py watch [PUBLICATION]      rebuild on save, serve on 127.0.0.1 with live reload
    python build.py proof [PUBLICATION]      contact sheets of the PDFs in output/<id>/proof/
    python build.py new ID [--layout article]   start a new publication in content/
    --clean                                  ignore the caches (same result, byte for byte)
    --jobs N                                 processes to use
    --lang zh                                messages in Chinese (default: from the locale)

The same code as the `publish` command (publish/cli.py): a first word that is
not a command means `build`; content/ and output/ are the ones beside this file.
"""
import sys
from pathlib import Path

from publish.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], project=Path(__file__).resolve().parent, prog="build.py", implicit_build=True))
