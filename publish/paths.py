"""Where the project's folders are: templates and styles live beside the package."""
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = PROJECT_ROOT / "templates"
STYLES = PROJECT_ROOT / "styles"
CONTENT = PROJECT_ROOT / "content"
OUTPUT = PROJECT_ROOT / "output"
