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

A face's stand-in is the same whatever the pages drawn, so while the setting
is in force each face's file is read once (WeasyPrint reads the whole file,
20 MB for a Noto CJK face, into every PDF it writes) and cut to its .notdef
once: a part drawn in chunks, each its own PDF, pays for its faces once.

Without the setting WeasyPrint subsets as released. Upstream this would be a
`write_pdf` option for callers that merge PDFs and subset once; the cost it
avoids is Kozea/WeasyPrint#2120 (CJK faces make PDFs slow to write).
"""
from __future__ import annotations

from weasyprint.pdf import fonts as fonts_module

from .patching import all_of, replace

UPSTREAM = "https://github.com/Kozea/WeasyPrint/issues/2120"
SETTINGS = ("fonts_subset_by_the_book",)
NOTDEF = {0: ""}  # glyph id → text: the one glyph a stand-in keeps


def _subset_to_notdef(original, made: dict):
    def subset(self, to_unicode, hinting):
        """The face cut to its .notdef glyph: its names stay, its glyphs come from the book's subset."""
        if not to_unicode:
            return original(self, to_unicode, hinting)
        key = (_address(self.hb_face), hinting, bool(self.missing))
        if key not in made:
            original(self, NOTDEF, hinting)
            made[key] = self.file_content
        self.file_content = made[key]
    return subset


def _faces_read_once(get_face, get_data):
    """The faces Pango holds (alive as long as the process's font map) noted as they are handed over,
    and each one's file read once; a face made by subsetting is read as it comes."""
    faces: set[int] = set()
    data: dict[int, bytes] = {}

    def get_pango_font_hb_face(pango_font):
        face = get_face(pango_font)
        faces.add(_address(face))
        return face

    def get_hb_object_data(hb_object, *args, **kwargs):
        address = _address(hb_object)
        if address not in faces or args or kwargs:
            return get_data(hb_object, *args, **kwargs)
        if address not in data:
            data[address] = get_data(hb_object)
        return data[address]
    return get_pango_font_hb_face, get_hb_object_data


def _address(pointer) -> int:
    from weasyprint.text.ffi import ffi
    return int(ffi.cast("uintptr_t", pointer))


def install(fonts_subset_by_the_book: bool = False):
    if not fonts_subset_by_the_book:
        return lambda: None
    get_face, get_data = _faces_read_once(fonts_module.get_pango_font_hb_face, fonts_module.get_hb_object_data)
    return all_of(replace(fonts_module.Font, "subset", _subset_to_notdef(fonts_module.Font.subset, {})),
                  replace(fonts_module, "get_pango_font_hb_face", get_face),
                  replace(fonts_module, "get_hb_object_data", get_data))
