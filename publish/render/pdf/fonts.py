"""One embedded font per face in the assembled book, however many parts used it.

Each part's PDF addresses glyphs by their id in the full face (WeasyPrint
keeps the glyph ids when it subsets) and embeds only a stand-in for each face
(weasyprint_patches.fonts_subset_by_the_book: the face cut to its .notdef,
which keeps its names). Here the font dictionaries of one face (WeasyPrint
names them by a digest of the face's description, the same in every part)
become one: the union of the glyphs the parts use (their widths, `/W`),
subset once from the face's file (found through fontconfig by its PostScript
name) with the flags WeasyPrint uses, widths and Unicode map merged. Content
streams do not change. A face is subset here even when one part alone uses
it, so a PDF of stand-ins and one WeasyPrint subset itself end the same.

The subset of a face for a set of glyphs is kept in the build's cache (the
book's unit keeps pieces of its work, `Unit.keeps`): most edits bring no new
character, and the next build reuses it.
"""
from __future__ import annotations

import hashlib
import io
import re
import struct
import subprocess
import zlib
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import pikepdf

from ...cache import processes_allowed

BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")
DROPPED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")
"""The tables WeasyPrint 70 drops from an embedded subset (weasyprint/pdf/fonts.py): a PDF needs none of them."""


class FaceNotFound(Exception):
    pass


def merge_fonts(pdf: pikepdf.Pdf, resources: list[pikepdf.Dictionary], subset_cache=None,
                read: dict | None = None) -> None:
    """Make every `/Font` entry of `resources` with the same name point at one merged font of that face.
    `read`: the glyphs of some of the font dictionaries (by their object's number), read before
    (`font_glyphs`)."""
    faces: dict[str, _Face] = {}
    seen: set[tuple[int, int]] = set()  # a part's pages share their font dictionaries: each is read once
    for resource in resources:
        for name, font in resource.get("/Font", {}).items():
            face = faces.setdefault(str(name), _Face())
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            face.add(font, (read or {}).get(font.objgen))
    # Each face's subset, made side by side: HarfBuzz works without Python's lock.
    requests = {name: face.wanted() for name, face in faces.items()}
    wanted = {name: request for name, request in requests.items() if request is not None}
    with ThreadPoolExecutor(max_workers=min(len(wanted), processes_allowed()) or 1) as pool:
        programs = dict(zip(wanted, pool.map(lambda request: _subset(*request, subset_cache), wanted.values())))
    merged = {name: face.merged(pdf, programs.get(name)) for name, face in faces.items()}
    for resource in resources:
        if "/Font" not in resource:
            continue
        fonts = pikepdf.Dictionary({name: merged[str(name)] for name in resource.Font.keys()})
        resource.Font = pdf.make_indirect(fonts)


def merge_page_fonts(pdf: pikepdf.Pdf, subset_cache=None, read: dict | None = None) -> None:
    """merge_fonts over every page of `pdf` and the form XObjects they draw (the furniture)."""
    resources = []
    for page in pdf.pages:
        if "/Resources" in page.obj:
            resources.append(page.obj.Resources)
            resources += _form_resources(page.obj.Resources)
    merge_fonts(pdf, _unique(resources), subset_cache, read)


def _unique(resources: list) -> list:
    seen, out = set(), []
    for resource in resources:
        key = resource.objgen if resource.is_indirect else id(resource)
        if key not in seen:
            seen.add(key)
            out.append(resource)
    return out


def _form_resources(resources: pikepdf.Dictionary) -> list:
    """The resources of the form XObjects a page draws, where their fonts are."""
    out = []
    for xobject in resources.get("/XObject", {}).values():
        if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
            out.append(xobject.Resources)
            out += _form_resources(xobject.Resources)
    return out


class _Face:
    """The font dictionaries of one face, from several parts."""

    def __init__(self):
        self.fonts: list[pikepdf.Dictionary] = []
        self.widths: dict[int, float] = {}
        self.unicode: dict[int, bytes] = {}

    def add(self, font: pikepdf.Dictionary, glyphs: tuple | None = None) -> None:
        """One more font dictionary of the face, with its glyphs (`font_glyphs`: read here if not given)."""
        self.fonts.append(font)
        widths, unicode = glyphs or font_glyphs(font)
        self.widths.update(widths)
        self.unicode.update(unicode)

    def wanted(self) -> tuple[bytes, list[int]] | None:
        """What the face's subset is made from: an embedded program of it (to find its file by) and the glyphs
        every part used; None for a font that is not a CID font (kept as it is)."""
        first = self.fonts[0]
        if first.get("/Subtype") != "/Type0":
            return None
        descriptor = first.DescendantFonts[0].FontDescriptor
        return descriptor[_program_key(descriptor)].read_bytes(), sorted(self.widths)

    def merged(self, pdf: pikepdf.Pdf, subset: bytes | None) -> pikepdf.Object:
        """One font dictionary for the face, holding what all of them hold, with its `subset` (`_subset`)."""
        first = self.fonts[0]
        if subset is None:
            return first
        descendant = first.DescendantFonts[0]
        descriptor = descendant.FontDescriptor
        key = _program_key(descriptor)
        glyphs = sorted(self.widths)
        (length,) = struct.unpack(">Q", subset[:8])
        program = pikepdf.Stream(pdf, b"")
        program.write(subset[8:], filter=pikepdf.Name.FlateDecode)
        if key == "/FontFile3":
            program.Subtype = pikepdf.Name.OpenType
        else:
            program.Length1 = length
        widths = []
        for glyph in glyphs:
            widths += [glyph, pikepdf.Array([self.widths[glyph]])]
        descriptor = pdf.make_indirect(pikepdf.Dictionary({**dict(descriptor.items()), key: program}))
        descendant = pdf.make_indirect(pikepdf.Dictionary({**dict(descendant.items()), "/W": pikepdf.Array(widths),
                                                           "/FontDescriptor": descriptor}))
        return pdf.make_indirect(pikepdf.Dictionary({**dict(first.items()),
                                                     "/DescendantFonts": pikepdf.Array([descendant]),
                                                     "/ToUnicode": pikepdf.Stream(pdf, to_unicode_cmap(self.unicode))}))


def font_glyphs(font: pikepdf.Dictionary) -> tuple[dict[int, float], dict[int, bytes]]:
    """The glyphs a CID font dictionary holds: each one's width and text (none for another kind of font)."""
    if font.get("/Subtype") != "/Type0":
        return {}, {}
    described = font.DescendantFonts[0]
    widths = glyph_widths(described.W.unparse()) if "/W" in described else {}
    unicode = {}
    if "/ToUnicode" in font:
        body = font.ToUnicode.read_bytes().split(b"endcodespacerange", 1)[-1]
        unicode = {int(glyph, 16): text for glyph, text in BFCHAR.findall(body)}
    return widths, unicode


def glyph_widths(array: bytes) -> dict[int, float]:
    """A CID font's `/W` array, as written (`[c [w1 w2 …] c_first c_last w …]`), read as glyph → width: from
    its bytes, a tenth of the time pikepdf takes to hand over each of its numbers."""
    tokens = array.replace(b"[", b" [ ").replace(b"]", b" ] ").split()[1:-1]  # inside the outer brackets
    widths: dict[int, float] = {}
    i = 0
    while i < len(tokens):
        first = int(tokens[i])
        if tokens[i + 1] == b"[":
            end = tokens.index(b"]", i + 2)
            for offset, width in enumerate(tokens[i + 2:end]):
                widths[first + offset] = float(width)
            i = end + 1
        else:  # `first last width`
            for glyph in range(first, int(tokens[i + 1]) + 1):
                widths[glyph] = float(tokens[i + 2])
            i += 3
    return widths


def _program_key(descriptor) -> str:
    return "/FontFile3" if "/FontFile3" in descriptor else "/FontFile2"


def to_unicode_cmap(mapping: dict[int, bytes]) -> bytes:
    """A ToUnicode CMap as WeasyPrint writes one, for the merged glyphs."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo",
             b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def", b"1 begincodespacerange", b"<0000> <ffff>",
             b"endcodespacerange"]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [b"<%04x> <%s>" % (glyph, text) for glyph, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def _subset(program: bytes, glyphs: list[int], cache) -> bytes:
    """The face the embedded `program` was cut from, subset to `glyphs` (glyph ids kept), as it is embedded:
    its length (8 bytes), then its bytes Flate-compressed — here, each face in its own thread, not by
    pikepdf one after the other as the book is saved. A kept subset is found by the program (its
    stand-in names the face) and the glyphs, before the face's file is looked for."""
    if cache is not None:
        key = cache.key("font subset, compressed", hashlib.sha256(program).hexdigest(), glyphs)
        cached = cache.get(key)
        if cached is not None:
            return cached
    path, index = face_file(postscript_name(program))
    data = harfbuzz_subset(path, index, glyphs)
    subset = struct.pack(">Q", len(data)) + zlib.compress(data)
    if cache is not None:
        cache.put(key, subset)
    return subset


def postscript_name(program: bytes) -> str:
    from fontTools.ttLib import TTFont
    return str(TTFont(io.BytesIO(program), lazy=True)["name"].getDebugName(6))


@lru_cache(maxsize=1)
def _installed_faces() -> dict[str, tuple[str, int]]:
    listing = subprocess.run(["fc-list", "--format", "%{postscriptname}\t%{file}\t%{index}\n"],
                             capture_output=True, text=True, check=True).stdout
    faces: dict[str, tuple[str, int]] = {}
    for line in sorted(listing.splitlines()):
        name, path, index = line.split("\t")
        faces.setdefault(name, (path, int(index or 0)))
    return faces


def face_file(postscript: str) -> tuple[str, int]:
    try:
        return _installed_faces()[postscript]
    except KeyError:
        raise FaceNotFound(f"the face {postscript} used by the book is not installed any more") from None


# -- HarfBuzz's subsetter, the library WeasyPrint subsets with (Debian's libharfbuzz-subset0) --------

_CDEF = """
typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t;
typedef struct hb_subset_input_t hb_subset_input_t; typedef struct hb_set_t hb_set_t;
typedef uint32_t hb_codepoint_t; typedef uint32_t hb_tag_t;
hb_blob_t *hb_blob_create_from_file_or_fail(const char *file_name);
hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
void hb_face_destroy(hb_face_t *face);
void hb_blob_destroy(hb_blob_t *blob);
hb_blob_t *hb_face_reference_blob(hb_face_t *face);
const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
void hb_set_add(hb_set_t *set, hb_codepoint_t codepoint);
void hb_set_add_range(hb_set_t *set, hb_codepoint_t first, hb_codepoint_t last);
hb_tag_t hb_tag_from_string(const char *str, int len);
hb_subset_input_t *hb_subset_input_create_or_fail(void);
void hb_subset_input_destroy(hb_subset_input_t *input);
hb_set_t *hb_subset_input_glyph_set(hb_subset_input_t *input);
hb_set_t *hb_subset_input_set(hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned value);
hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
"""
RETAIN_GIDS, DESUBROUTINIZE, PASSTHROUGH_UNRECOGNIZED = 0x2, 0x4, 0x20
DROP_TABLE_TAG = 3


@lru_cache(maxsize=1)
def _harfbuzz():
    import cffi
    ffi = cffi.FFI()
    ffi.cdef(_CDEF)
    return ffi, ffi.dlopen("libharfbuzz.so.0"), ffi.dlopen("libharfbuzz-subset.so.0")


def harfbuzz_subset(path: str, index: int, glyphs: list[int]) -> bytes:
    """The face subset to `glyphs` and glyph 0, every glyph keeping its id, as WeasyPrint 70 embeds it."""
    ffi, hb, subset = _harfbuzz()
    blob = hb.hb_blob_create_from_file_or_fail(path.encode())
    if blob == ffi.NULL:
        raise FaceNotFound(f"cannot read the font file {path}")
    face = hb.hb_face_create(blob, index)
    request = subset.hb_subset_input_create_or_fail()
    try:
        wanted = subset.hb_subset_input_glyph_set(request)
        hb.hb_set_add(wanted, 0)
        for glyph in glyphs:
            hb.hb_set_add(wanted, glyph)
        subset.hb_subset_input_set_flags(request, RETAIN_GIDS | PASSTHROUGH_UNRECOGNIZED | DESUBROUTINIZE)
        dropped = subset.hb_subset_input_set(request, DROP_TABLE_TAG)
        for tag in DROPPED_TABLES:
            hb.hb_set_add(dropped, hb.hb_tag_from_string(tag, -1))
        result = subset.hb_subset_or_fail(face, request)
        if result == ffi.NULL:
            raise FaceNotFound(f"HarfBuzz could not subset {path}")
        out = hb.hb_face_reference_blob(result)
        length = ffi.new("unsigned int *")
        data = ffi.buffer(hb.hb_blob_get_data(out, length), length[0])[:]
        hb.hb_blob_destroy(out)
        hb.hb_face_destroy(result)
        return data
    finally:
        subset.hb_subset_input_destroy(request)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)
