"""A footnote already placed on a page stays there: the text moves, never the note.

When a paragraph's next line did not fit above the footnote area and the
paragraph could only break at that line (its widows and orphans allowed no
earlier break), WeasyPrint 70.0 "reported" the notes already placed on the
page — moved them to the next page, away from their calls — to make room
for the line. A note belongs on its call's page (clreq; the printed report),
so that trade is switched off: the line goes to the next page instead, as
it does for every other line that does not fit.

The decision is one local variable inside the 250-line loop of
`weasyprint.layout.block._linebox_layout`; no wrapper or subclass can reach
it (the loop also reports notes that do not fit at all, which must stay). So
this is a source patch of that one line of the pinned version, checked to
be there exactly once, compiled once, and installed only inside `applied()`.
Upstream it would be a condition (never report a note whose call is already
on the page). Upstream: Kozea/WeasyPrint#2502 (notes away from their calls).
"""
from __future__ import annotations

import inspect
import textwrap
from functools import lru_cache

from weasyprint.layout import block as block_module

from .patching import replace

UPSTREAM = "https://github.com/Kozea/WeasyPrint/issues/2502"
LINE = "report = not context.in_column and can_break_now and not could_break_before"
PATCHED_LINE = "report = False  # publish: a placed note stays with its call; the line moves instead"


@lru_cache(maxsize=1)
def _patched_linebox_layout():
    original = block_module._linebox_layout
    source = textwrap.dedent(inspect.getsource(original))
    if source.count(LINE) != 1:
        raise RuntimeError("cannot patch weasyprint.layout.block._linebox_layout: the expected line is not there")
    namespace = dict(vars(block_module))
    exec(compile(source.replace(LINE, PATCHED_LINE), inspect.getsourcefile(original), "exec"), namespace)
    return namespace["_linebox_layout"]


def install():
    return replace(block_module, "_linebox_layout", _patched_linebox_layout())
