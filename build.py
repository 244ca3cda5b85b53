#!/usr/bin/env python3
"""Build the editions of the publications in content/.

    python build.py                          every edition of every publication
    python build.py gsi-report-2024          one publication (by id or folder)
    python build.py --edition web            one edition (repeatable)
    python build.py check                    validate everything, render nothing
"""
import sys

from publish.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
