"""Links to an anchor in another part of the book are kept, as named destinations.

A book laid out part by part is written one PDF per part, then assembled.
WeasyPrint 70.0 drops an internal link whose anchor is not in the document
being written ("No anchor #… for internal URI reference"), so the contents'
links and a chapter's link to another chapter would be lost. It writes every
internal link as a named destination (`/Dest (anchor)`) resolved through the
document's name tree; here a link to an anchor the caller names as being
elsewhere in the book is kept, and resolves once the parts' name trees are
assembled into one (publish/render/pdf/assemble.py). Links to anchors that
exist nowhere are still dropped with WeasyPrint's warning.
"""
from __future__ import annotations

import weasyprint.pdf
from weasyprint.logger import LOGGER
from weasyprint.pdf import anchors as anchors_module

from .patching import all_of, replace

UPSTREAM = "https://doc.courtbouillon.org/weasyprint/stable/api_reference.html#weasyprint.document.Document.copy"
SETTINGS = ("anchors_elsewhere",)


def _resolve_links(elsewhere: frozenset[str]):
    def resolve_links(pages):
        """WeasyPrint 70.0's resolve_links, keeping links to the anchors of the book's other parts."""
        anchors = set()
        paged_anchors = []
        for page in pages:
            paged_anchors.append([])
            for name, (x, y, _, _) in page.anchors.items():
                if name not in anchors:
                    paged_anchors[-1].append((name, x, y))
                    anchors.add(name)
        for page, page_anchors in zip(pages, paged_anchors):
            links = []
            for link in page.links:
                if link[0] != "internal" or link[1] in anchors or link[1] in elsewhere:
                    links.append(link)
                else:
                    LOGGER.error("No anchor #%s for internal URI reference", link[1])
            yield links, page_anchors
    return resolve_links


def install(anchors_elsewhere=frozenset()):
    patched = _resolve_links(frozenset(anchors_elsewhere))
    # weasyprint/pdf/__init__.py imported the function by name.
    return all_of(replace(anchors_module, "resolve_links", patched), replace(weasyprint.pdf, "resolve_links", patched))
