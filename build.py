#!/usr/bin/env python3
"""Build the editions of the publications in content/.

    python build.py                          every edition of every publication
    python build.py gsi-report-2024          one publication (by id or folder)
    python build.py --edition web            one edition (repeatable)
    python build.py check                    validate everything, render nothing
    python build.py watch [PUBLICATION]      rebuild on save, serve on 127.0.0.1 with live reload
    python build.py proof [PUBLICATION]      contact sheets of the PDFs in output/<id>/proof/
    --clean                                  ignore the caches (same result, byte for byte)
    --jobs N                                 processes to use

Builds are incremental (output/.cache/<id>/build.json) and always equal a clean build.
"""
import sys

from publish.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
