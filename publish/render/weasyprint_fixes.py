"""Fixes to WeasyPrint 70.0 for Chinese books, applied once when the PDF writer is imported.

Each fix replaces one small internal function of the pinned version (the
version is checked: a different WeasyPrint refuses to start rather than
render wrongly). Tests in tests/test_weasyprint_fixes.py show each fix's
effect on a real layout.

1. Footnote area overflow compared two floats with a bare `>`
   (1079.3648293963256 > 1079.3648293963254 → "overflow"), so nearly every
   note was pushed to the page after its call. The rest of WeasyPrint
   compares with a relative tolerance (`LayoutContext.overflows`); this uses
   the same. Upstream: Kozea/WeasyPrint#2502, #1564.

2. When a paragraph's lines did not fit above the footnote area, the line
   layout "reported" footnotes already placed on the page (moved them to the
   next page, away from their calls) to make room for more text. A note
   belongs on its call's page (clreq; the printed report), so that trade is
   switched off: the text moves to the next page instead.
"""
from __future__ import annotations

from math import inf

import inspect
import textwrap

import weasyprint
from weasyprint.formatting_structure import build
from weasyprint.layout import LayoutContext, block_level_layout
from weasyprint.layout import block as block_module

PINNED_VERSION = "70.0"
_applied = False


def _update_footnote_area(self):
    """WeasyPrint 70.0's LayoutContext._update_footnote_area, with a tolerant overflow test."""
    if self.current_footnote_area.height != 'auto' and not self.in_column:
        self.page_bottom += self.current_footnote_area.margin_height()
    self.current_footnote_area.children = self.current_page_footnotes
    if self.current_footnote_area.children:
        footnote_area = build.create_anonymous_boxes(self.current_footnote_area.deepcopy())
        footnote_area = block_level_layout(
            self, footnote_area, -inf, None, self.current_footnote_area.page)[0]
        self.current_footnote_area.height = footnote_area.height
        if not self.in_column:
            self.page_bottom -= footnote_area.margin_height()
        last_child = footnote_area.children[-1]
        last_child_bottom = (
            last_child.position_y + last_child.margin_height() - last_child.margin_bottom)
        footnote_area_bottom = (
            footnote_area.position_y + footnote_area.margin_height() - footnote_area.margin_bottom)
        return LayoutContext.overflows(footnote_area_bottom, last_child_bottom)
    self.current_footnote_area.height = 0
    if not self.in_column:
        self.page_bottom -= self.current_footnote_area.margin_height()
    return False


def apply() -> None:
    global _applied
    if _applied:
        return
    if weasyprint.__version__ != PINNED_VERSION:
        raise RuntimeError(
            f"publish patches WeasyPrint {PINNED_VERSION}, but {weasyprint.__version__} is installed: "
            f"run `make` to install the pinned version, or port publish/render/weasyprint_fixes.py")
    LayoutContext._update_footnote_area = _update_footnote_area
    _replace_in_function(
        block_module, "_linebox_layout",
        "report = not context.in_column and can_break_now and not could_break_before",
        "report = False  # publish: never move a placed note away from its call")
    _applied = True


def _replace_in_function(module, name: str, old: str, new: str) -> None:
    """Recompile one function of `module` with one line changed; fail loudly if the line moved."""
    source = textwrap.dedent(inspect.getsource(getattr(module, name)))
    if source.count(old) != 1:
        raise RuntimeError(f"cannot patch {module.__name__}.{name}: the expected line is not there")
    namespace = dict(vars(module))
    exec(compile(source.replace(old, new), inspect.getsourcefile(module), "exec"), namespace)
    setattr(module, name, namespace[name])
