"""Stage 1: read a publication folder into the document model, validating as it goes.

`load_publication` is imported when it is first asked for: finding the publications, and telling
whether a build has anything to do, need none of the reading (Markdown, the inline parser, the
model), which a build with nothing changed, and the start of every build, are spared.
"""
from __future__ import annotations

from pathlib import Path

CONFIG_NAME = "publication.yaml"


def find_publications(content_dir: Path) -> list[Path]:
    return sorted(p.parent for p in Path(content_dir).glob(f"*/{CONFIG_NAME}"))


def __getattr__(name: str):
    if name == "load_publication":
        from .publication import load_publication
        return load_publication
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["load_publication", "find_publications", "CONFIG_NAME"]
