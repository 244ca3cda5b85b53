"""What rendering may read: the publication's folder, the templates and the styles. Nothing else.

WeasyPrint fetches every `src`/`href` it meets; this fetcher refuses the
network and any file outside those folders (after following symlinks, so a
link pointing out is refused too), and remembers what it refused so the build
can report it instead of silently rendering without it.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..paths import STYLES, TEMPLATES


class SandboxedFetcher(URLFetcher):
    def __init__(self, publication_root: Path):
        super().__init__(allowed_protocols={"file", "data"})
        self.roots = [Path(publication_root).resolve(), STYLES.resolve(), TEMPLATES.resolve()]
        self.refused: list[str] = []

    def allowed_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()
        if any(path == root or root in path.parents for root in self.roots):
            return path
        return None

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self.allowed_path(url)
        if path is None:
            self.refused.append(url)
            raise ValueError(f"refused to read {url}: outside the publication, templates and styles")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _mime(path)})


def _mime(path: Path) -> str:
    return {".css": "text/css", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
            ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp"}.get(path.suffix.lower(),
                                                                                  "application/octet-stream")
