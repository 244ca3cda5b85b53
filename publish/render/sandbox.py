"""What rendering may read: the publication's folder, the templates and the styles. Nothing else.

WeasyPrint fetches every `src`/`href` it meets (images, stylesheets,
`@import`, `@font-face`, attachments) through its URL fetcher; this one
refuses the network (http, https, ftp and every other scheme but `data:`),
`file:` URLs on another host, and any file outside those folders, after
resolving `..` and following symlinks, so a link pointing out is refused
too. Only regular files are read (a FIFO or a device could block the build).
It remembers what it refused so the build reports it instead of silently
rendering without it.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from .weasyprint_patches import weasyprint  # noqa: F401 - WeasyPrint as this package imports it, first
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

from ..paths import STYLES, TEMPLATES


class SandboxedFetcher(URLFetcher):
    def __init__(self, publication_root: Path, also: tuple = ()):
        super().__init__(allowed_protocols={"data"})
        # `also`: the build's own folders it may read (the photos' screen copies).
        self.roots = tuple(Path(p).resolve() for p in (publication_root, STYLES, TEMPLATES, *also))
        self.refused: list[str] = []

    def allowed_path(self, url: str) -> Path | None:
        """The file a `file:` URL names, if it lies inside an allowed folder."""
        try:
            parts = urlsplit(url)
            if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
                return None
            path = Path(unquote(parts.path)).resolve()
        except (ValueError, OSError, RuntimeError):  # a NUL byte, a symlink loop
            return None
        if not any(path == root or root in path.parents for root in self.roots):
            return None
        return path

    def fetch(self, url, headers=None):
        if url.lower().startswith("data:"):
            return super().fetch(url, headers)
        path = self.allowed_path(url)
        if path is not None and not path.exists():
            raise FileNotFoundError(f"no file {path}")  # allowed, only missing: WeasyPrint warns
        if path is None or not path.is_file():
            self.refused.append(url)
            raise ValueError(f"refused to read {url}: only files in the publication, templates and styles")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _mime(path)})


def _mime(path: Path) -> str:
    return {".css": "text/css", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
            ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp"}.get(path.suffix.lower(),
                                                                                  "application/octet-stream")
