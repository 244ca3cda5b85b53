"""Under `word-break: break-all`, every letter is a break point (CSS Text 3, 5.2).

WeasyPrint 70.0 breaks between letters under `break-all` only when the text
has no ordinary break point that fits: a URL (with its `/` and `.` break
points) then ended its line up to a whole path segment short, leaving a gap
that justification had to spread wide. Here, under `break-all`, a line that
wraps is filled letter by letter, as the spec says; text that fits, and text
without `break-all`, are laid out by WeasyPrint as before.
"""
from __future__ import annotations

from math import inf

from weasyprint.layout import inline as inline_module
from weasyprint.layout import preferred as preferred_module
from weasyprint.text import line_break
from weasyprint.text.constants import PANGO_WRAP_MODE
from weasyprint.text.ffi import pango

from .patching import all_of, replace

UPSTREAM = "https://www.w3.org/TR/css-text-3/#word-break-property"


def _split_first_line(original):
    def split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True,
                         minimum=False):
        """WeasyPrint's split_first_line; under break-all, a wrapping line broken at the last letter that fits."""
        result = original(text, style, context, max_width, justification_spacing, is_line_start, minimum)
        if (style['word_break'] != 'break-all' or max_width is None or max_width == inf or result[2] is None
                or style['white_space'] not in ('normal', 'pre-wrap', 'pre-line')):
            return result
        layout = line_break.create_layout(text, style, context, max_width, justification_spacing)
        pango.pango_layout_set_wrap(layout.layout, PANGO_WRAP_MODE['WRAP_CHAR'])
        first_line, index = layout.get_first_line()
        resume_index = index or first_line.length
        if resume_index >= len(text.encode()):
            resume_index = None
        space_collapse = style['white_space'] in ('normal', 'nowrap', 'pre-line')
        return line_break.first_line_metrics(first_line, text, layout, resume_index, space_collapse, style,
                                             False, style['hyphenate_character'])
    return split_first_line


def install():
    patched = _split_first_line(line_break.split_first_line)
    # layout/inline.py and layout/preferred.py imported the function by name.
    return all_of(replace(line_break, "split_first_line", patched),
                  replace(inline_module, "split_first_line", patched),
                  replace(preferred_module, "split_first_line", patched))
