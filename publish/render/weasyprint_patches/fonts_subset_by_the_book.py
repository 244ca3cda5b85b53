"""A part's PDF names its faces and leaves their subsetting to the book.

A book laid out part by part embeds each face once, in the assembled book:
publish/render/pdf/fonts.py takes the glyphs every part used (from each
font's widths, `/W`), subsets the face's file once for all of them, and
puts that program in place of the parts' own. The subsets WeasyPrint 70.0
makes while writing each part (HarfBuzz over a 20 MB Noto CJK face, then
compressed and stored) are never read for their glyphs, and they were the
costliest step of drawing a long part: 0.4 s of the longest chapter's 4 s,
and 85 % of its PDF's bytes.

So, while a part is drawn with `fonts_subset_by_the_book=True`, each face
is embedded as a stand-in: the face subset to its .notdef glyph alone, which
keeps the tables that name it (what fonts.py finds the face's file by). The
font dictionaries (widths, the Unicode map, the descriptor) and the content
streams are as WeasyPrint writes them; only the embedded program is smaller.
Such a PDF is an intermediate file: it shows no glyphs until its fonts are
merged (assemble.py for the book, the watch preview for a draft).

Without the setting WeasyPrint subsets as released. Upstream this would be a
`write_pdf` option for callers that merge PDFs and subset once; the cost it
avoids is Kozea/WeasyPrint#2120 (CJK faces make PDFs slow to write).
"""
from __future__ import annotations

from weasyprint.pdf import fonts as fonts_module

from .patching import replace

UPSTREAM = "https://github.com/Kozea/WeasyPrint/issues/2120"
SETTINGS = ("fonts_subset_by_the_book",)
NOTDEF = {0: ""}  # glyph id → text: the one glyph a stand-in keeps


def _subset_to_notdef(original):
    def subset(self, to_unicode, hinting):
        """The face cut to its .notdef glyph: its names stay, its glyphs come from the book's subset."""
        return original(self, NOTDEF if to_unicode else to_unicode, hinting)
    return subset


def install(fonts_subset_by_the_book: bool = False):
    if not fonts_subset_by_the_book:
        return lambda: None
    return replace(fonts_module.Font, "subset", _subset_to_notdef(fonts_module.Font.subset))
