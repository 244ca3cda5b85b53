"""The footnote area overflows only by more than a rounding error.

WeasyPrint 70.0's `LayoutContext._update_footnote_area` tests whether the last
note sticks out of the area with a bare `>`: 1079.3648293963256 >
1079.3648293963254 is "overflow", and in a book with mm/pt page sizes nearly
every note was pushed to the page after its call. The rest of WeasyPrint
compares positions with a relative tolerance (`LayoutContext.overflows`);
this uses the same. Upstream: Kozea/WeasyPrint#2502, #1564.
"""
from __future__ import annotations

from math import inf

from weasyprint.formatting_structure import build
from weasyprint.layout import LayoutContext, block_level_layout

from .patching import replace

UPSTREAM = "https://github.com/Kozea/WeasyPrint/issues/2502"


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


def install():
    return replace(LayoutContext, "_update_footnote_area", _update_footnote_area)
