"""`text-align: justify` spreads Chinese lines over every character (CSS Text 3 `text-justify: inter-character`).

WeasyPrint 70.0 stretches only spaces (U+0020, U+00A0), so Chinese lines,
which have none, stayed ragged. Here every typographic character unit is an
expansion point (Han, kana, full-width punctuation, and Latin letters and
digits too, so that a line ending in a long URL is spread over all its
characters, not only its few Chinese ones). The layout's letter-spacing is
set on those characters at drawing time (added to the text's own
`letter-spacing`, with which the line was broken), the same mechanism
WeasyPrint uses for spaces, so the text itself (what pdftotext, copy-paste and the PDF's tags
read) gets no added characters. Spaces keep WeasyPrint's word spacing; dashes
and ellipses (——, ……) are not expansion points, so they never split.
Upstream: Kozea/WeasyPrint#1184.
"""
from __future__ import annotations

import re

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline as inline_module
from weasyprint.text import line_break
from weasyprint.text.ffi import ffi, pango

from .patching import all_of, replace

UPSTREAM = "https://github.com/Kozea/WeasyPrint/issues/1184"

# Every character but spaces (stretched by word spacing), dashes and ellipses (never split),
# and zero-width or combining marks.
EXPANDABLE = re.compile("[^\\s\u2014\u2015\u2026\u200b-\u200f\u2060\u0300-\u036f\ufe00-\ufe0f]")


def expansion_points(text: str) -> float:
    """How many letter-spacings a run of text takes when justified.

    Each expandable character gets the spacing, half before and half after it;
    Pango drops the outer half at the two ends of a run, hence the halves.
    """
    count = len(EXPANDABLE.findall(text))
    if count:
        count -= 0.5 * bool(EXPANDABLE.match(text[0])) + 0.5 * bool(EXPANDABLE.match(text[-1]))
    return count


def count_expandable_spaces(box):
    """WeasyPrint's count of expandable spaces, plus the inter-character expansion points."""
    if isinstance(box, boxes.TextBox):
        return box.text.count(' ') + box.text.count('\u00a0') + expansion_points(box.text)
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return sum(count_expandable_spaces(child) for child in box.children)
    return 0


def _set_text(original):
    def set_text(self, text, justify=False):
        """WeasyPrint's Layout.set_text, then the justification spacing on every expansion point."""
        original(self, text, justify)
        spacing = self.justification_spacing
        if not (justify and spacing and EXPANDABLE.search(self.text)):
            return
        attr_list = pango.pango_layout_get_attributes(self.layout)
        if attr_list == ffi.NULL:
            attr_list = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
        own = self.style['letter_spacing']  # the text's own letter-spacing, which the attribute replaces
        units = int((spacing + (0 if own == 'normal' else own)) * 1024)  # Pango units
        position = 0
        for char in self.text:
            size = len(char.encode())
            if EXPANDABLE.match(char):
                attr = pango.pango_attr_letter_spacing_new(units)
                attr.start_index, attr.end_index = position, position + size
                pango.pango_attr_list_change(attr_list, attr)
            position += size
        pango.pango_layout_set_attributes(self.layout, attr_list)
    return set_text


def install():
    return all_of(replace(inline_module, "count_expandable_spaces", count_expandable_spaces),
                  replace(line_break.Layout, "set_text", _set_text(line_break.Layout.set_text)))
