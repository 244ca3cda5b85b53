"""Where the project's folders are.

templates/ and styles/ live at the top of the repository, beside the package,
and an installed package carries its own copy of both inside it (setup.py
puts them into the wheel): the copy inside the package is used when there is
one, so an installed `publish` never reads a repository it is not part of.
"""
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE.parent
SHIPPED_FOLDERS = ("templates", "styles")


def _shared(name: str) -> Path:
    shipped = PACKAGE / name
    return shipped if shipped.is_dir() else PROJECT_ROOT / name


TEMPLATES = _shared("templates")
STYLES = _shared("styles")
# The repository's own publications and output folder (the command line's defaults are the working folder's).
CONTENT = PROJECT_ROOT / "content"
OUTPUT = PROJECT_ROOT / "output"
