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

3. `text-align: justify` stretched only spaces (U+0020, U+00A0), so Chinese
   lines, which have none, stayed ragged. CSS Text 3 `text-justify:
   inter-character`: every typographic character unit is an expansion point
   (Han, kana, full-width punctuation, and Latin letters and digits too, so
   that a line ending in a long URL is spread over all its characters, not
   only its few Chinese ones). The layout's letter-spacing is set on those
   characters at drawing time, the same mechanism WeasyPrint uses for spaces,
   so the text itself (what pdftotext, copy-paste and the PDF's tags read)
   gets no added characters. Spaces keep WeasyPrint's word spacing; dashes and
   ellipses (——, ……) are not expansion points, so they never split.
   Upstream: Kozea/WeasyPrint#1184.

4. `word-break: break-all` broke between letters only when the text had no
   ordinary break point that fitted; a URL (with its `/` and `.` break points)
   then ended its line up to a whole path segment short, leaving a gap that
   justification had to spread wide. CSS Text 3 makes every letter a break
   point under `break-all`: with it the URLs of the notes fill their lines.
"""
from __future__ import annotations

from math import inf

import inspect
import re
import textwrap

import weasyprint
from weasyprint.formatting_structure import build
from weasyprint.layout import LayoutContext, block_level_layout
from weasyprint.layout import block as block_module
from weasyprint.layout import inline as inline_module
from weasyprint.layout import preferred as preferred_module
from weasyprint.formatting_structure import boxes
from weasyprint.text import line_break
from weasyprint.text.ffi import ffi, pango

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
    inline_module.count_expandable_spaces = count_expandable_spaces
    line_break.Layout.set_text = _set_text_with_cjk_spacing
    _replace_in_function(
        line_break, "split_first_line",
        "    if space < 0 and can_break:",
        "    if (space < 0 or style['word_break'] == 'break-all') and can_break:")
    inline_module.split_first_line = line_break.split_first_line  # imported by name there
    preferred_module.split_first_line = line_break.split_first_line
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


# Every character but spaces (stretched by word spacing), dashes and ellipses (never split),
# and zero-width or combining marks.
EXPANDABLE = re.compile("[^\\s\u2014\u2015\u2026\u200b-\u200f\u2060\u0300-\u036f\ufe00-\ufe0f]")
CJK = EXPANDABLE  # the name the rest of this module uses


def cjk_expansion(text: str) -> float:
    """How many letter-spacings a run of text takes when justified.

    Each expandable character gets the spacing, half before and half after it;
    Pango drops the outer half at the two ends of a run, hence the halves.
    """
    count = len(EXPANDABLE.findall(text))
    if count:
        count -= 0.5 * bool(EXPANDABLE.match(text[0])) + 0.5 * bool(EXPANDABLE.match(text[-1]))
    return count


_original_count_expandable_spaces = inline_module.count_expandable_spaces
_original_set_text = line_break.Layout.set_text


def count_expandable_spaces(box):
    """WeasyPrint's count of expandable spaces, plus the CJK expansion points."""
    if isinstance(box, boxes.TextBox):
        return box.text.count(' ') + box.text.count('\u00a0') + cjk_expansion(box.text)
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return sum(count_expandable_spaces(child) for child in box.children)
    return 0


def _set_text_with_cjk_spacing(self, text, justify=False):
    _original_set_text(self, text, justify)
    spacing = self.justification_spacing
    if not (justify and spacing and CJK.search(self.text)):
        return
    attr_list = pango.pango_layout_get_attributes(self.layout)
    if attr_list == ffi.NULL:
        attr_list = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    units = int(spacing * 1024)  # Pango units
    position = 0
    for char in self.text:
        size = len(char.encode())
        if CJK.match(char):
            attr = pango.pango_attr_letter_spacing_new(units)
            attr.start_index, attr.end_index = position, position + size
            pango.pango_attr_list_change(attr_list, attr)
        position += size
    pango.pango_layout_set_attributes(self.layout, attr_list)
