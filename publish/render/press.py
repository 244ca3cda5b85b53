"""print.pdf for the press: the book PDF's pages as PDF/X-4 in CMYK.

The layout writes one *book PDF* (tagged, sRGB colours, links; every page with
MediaBox = trim + bleed, TrimBox = the trimmed page, BleedBox = trim + bleed, no
marks). The screen PDF is that file cut at the trim; this module makes the
printer's file from the same bytes, whatever made them:

1. every sRGB colour the layout wrote (`r g b rg` / `RG`, gradients) becomes the
   CMYK ink its colour token names in styles/tokens.css (`--color-NAME-press`);
   a colour that is no token is left alone, and the preflight reports it with
   its page (never silently converted: a guessed ink is a reprint);
2. every photo the layout embedded as a screen copy is swapped for the original,
   prepared for the press (images.py); transparency blends in CMYK;
3. no annotations (links), no form fields, no structure tree (a press file is not
   read on a screen; its tags would point at removed links), no scripts;
4. the MediaBox grows to hold crop marks outside the bleed (offset = bleed +
   `MARK_GAP` from the trim), 0.25 pt, in registration colour (`/Separation /All`:
   they print on every plate) — or no marks;
5. the output intent names the press condition and embeds its ICC profile; the
   XMP and /Info say PDF/X-4, Trapped False, dates, title and identifiers; the
   file is PDF 1.6, as PDF/X-4 requires.

The CMYK profile is built at setup (scripts/make-press-profile), never fetched;
`load_press_profile()` finds it.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import sys
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable
from xml.sax.saxutils import escape

import pikepdf
import tinycss2
from PIL import ImageCms

from ..errors import ContentError, Problem
from ..paths import STYLES
from .images import PreparedPhoto, PrintImage
from .pdf_content import content_streams, resource_dictionaries

MM = 72 / 25.4
MARK_WEIGHT = 0.25  # pt: the conventional hairline of crop marks
MARK_LENGTH = 5 * MM
MARK_GAP = 2 * MM  # between the bleed's edge and a mark: a sheet cut a little off still hides it
SLUG = 1 * MM  # paper left beyond the marks' far ends
MARKS = ("crop", "none")

PROFILE_ENV = "PUBLISH_PRESS_PROFILE"
DEFAULT_PROFILE = Path(sys.prefix) / "share" / "publish" / "FOGRA39.icc"
TOKENS = STYLES / "tokens.css"
REGISTRATION = "/RegistrationAll"  # the colour-space resource name the marks use


class PressError(Exception):
    """The press file cannot be made: the message says what to do."""


@dataclass(frozen=True)
class OutputCondition:
    """The printing condition print.pdf is made for, as its output intent names it."""
    identifier: str  # OutputConditionIdentifier: a registered name, or "Custom"
    condition: str  # OutputCondition: the human-readable name
    registry: str  # RegistryName: where `identifier` is registered ("" when it is not)
    info: str  # Info: the condition, as the profile describes it

    @classmethod
    def custom(cls, profile: "PressProfile") -> "OutputCondition":
        """A printer's own profile: a condition no registry knows, described by the profile itself."""
        return cls("Custom", profile.description, "", profile.description)


FOGRA39_INK_LIMIT = 3.3  # the condition's total area coverage (330 %), as the profile is built
FOGRA39 = OutputCondition(
    "FOGRA39", "Coated FOGRA39 (ISO 12647-2:2004/Amd 1)", "http://www.color.org",
    "Coated FOGRA39 (ISO 12647-2:2004/Amd 1): offset on coated paper, total ink 330 %")


@dataclass(frozen=True)
class PressProfile:
    """A CMYK output ICC profile, checked."""
    path: Path
    data: bytes
    description: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def press_profile_path() -> Path:
    """Where the press profile is: $PUBLISH_PRESS_PROFILE, else where setup builds it."""
    return Path(os.environ[PROFILE_ENV]) if os.environ.get(PROFILE_ENV) else DEFAULT_PROFILE


def load_press_profile(path: Path | None = None) -> PressProfile:
    """The CMYK profile at `path` (default: `press_profile_path()`), or a PressError saying how to get one."""
    path = Path(path) if path else press_profile_path()
    if not path.is_file():
        raise PressError(
            f"no CMYK press profile at {path}: print.pdf embeds it in its PDF/X-4 output intent. "
            f"fix: run `make` (its setup runs scripts/make-press-profile, about a minute), or "
            f"`scripts/make-press-profile {path}`, or set {PROFILE_ENV} to the printer's .icc file")
    data = path.read_bytes()
    # ICC header: device class at bytes 12–15, data colour space at 16–19.
    if len(data) < 128 or data[36:40] != b"acsp":
        raise PressError(f"{path} is not an ICC profile. fix: give the printer's CMYK output profile (.icc)")
    if data[16:20] != b"CMYK" or data[12:16] != b"prtr":
        raise PressError(f"{path} is a {data[12:16].decode('latin1')} profile for "
                         f"{data[16:20].decode('latin1').strip()}, not a CMYK output (printer) profile. "
                         "fix: ask the printer for the CMYK profile of their press and paper")
    try:
        description = ImageCms.ImageCmsProfile(io.BytesIO(data)).profile.profile_description or path.stem
    except (OSError, ImageCms.PyCMSError) as error:
        raise PressError(f"{path}: the ICC profile cannot be read ({error}). fix: give another copy of it") from error
    return PressProfile(path, data, description.strip())


# -- the colour table: tokens.css ----------------------------------------------------------------

@dataclass(frozen=True)
class PressColour:
    """One colour token: its screen value and the ink print.pdf uses instead."""
    token: str  # "--color-ink"
    screen: str  # "#1b1b1b"
    cmyk: tuple[float, float, float, float]
    reason: str  # the comment beside the press value
    line: int  # in tokens.css

    @property
    def rgb(self) -> tuple[int, int, int]:
        return tuple(int(self.screen[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]

    @property
    def ink(self) -> float:
        """Total area coverage, 0–4 (4 = 400 %)."""
        return sum(self.cmyk)


class PressColours:
    """The table from screen sRGB to press CMYK, read from styles/tokens.css."""

    def __init__(self, colours: list[PressColour], aliases: dict[str, str], path: Path):
        self.colours = colours
        self.aliases = aliases  # "--color-folio" → "--color-ink"
        self.path = path
        self._by_rgb = {}
        for colour in colours:
            self._by_rgb.setdefault(colour.rgb, colour)

    def for_rgb(self, rgb: tuple[int, int, int]) -> PressColour | None:
        return self._by_rgb.get(rgb)

    def identity(self) -> str:
        """Everything of the table a conversion or a preflight finding depends on (kept pieces' keys)."""
        return repr((self.path.name, self.colours, sorted(self.aliases.items())))

    def for_operands(self, values) -> PressColour | None:
        """The token for a PDF colour `r g b` (each 0–1), if it is one of the 8-bit token values."""
        try:
            scaled = [float(v) * 255 for v in values]
        except (TypeError, ValueError):
            return None
        if len(scaled) != 3 or any(abs(v - round(v)) > 0.02 or not 0 <= round(v) <= 255 for v in scaled):
            return None
        return self._by_rgb.get(tuple(round(v) for v in scaled))

    def nearest(self, rgb) -> PressColour:
        return min(self.colours, key=lambda c: sum((a - b) ** 2 for a, b in zip(c.rgb, rgb)))

    def __iter__(self):
        return iter(self.colours)


HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def read_press_colours(path: Path = TOKENS) -> PressColours:
    """Every `--color-NAME` of `:root` in `path` with its `--color-NAME-press`.

    The convention (documented in tokens.css itself):

        --color-ink: #1b1b1b;
        --color-ink-press: device-cmyk(0 0 0 1);   /* why this ink */
        --color-folio: var(--color-ink);             an alias: the same colour in both worlds

    Every problem is collected and raised together as a ContentError naming the line.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    problems: list[Problem] = []
    screen: dict[str, tuple[str, int]] = {}
    press: dict[str, tuple[tuple[float, ...], str, int]] = {}
    aliases: dict[str, tuple[str, int]] = {}
    for rule in tinycss2.parse_stylesheet(text, skip_comments=False, skip_whitespace=True):
        if rule.type != "qualified-rule" or tinycss2.serialize(rule.prelude).strip() != ":root":
            continue
        nodes = tinycss2.parse_blocks_contents(rule.content, skip_comments=False, skip_whitespace=True)
        for index, node in enumerate(nodes):
            if node.type != "declaration" or not node.name.startswith("--color-"):
                continue
            value = tinycss2.serialize(node.value).strip()
            line = node.source_line
            if node.name.endswith("-press"):
                comment = nodes[index + 1] if index + 1 < len(nodes) else None
                reason = comment.value.strip() if comment is not None and comment.type == "comment" \
                    and comment.source_line == line else ""
                cmyk = _device_cmyk(node.value)
                if cmyk is None:
                    problems.append(Problem.plain(path, line, f"{node.name}: `{value}` is not a CMYK ink",
                                            "write it as device-cmyk(C M Y K) with each value 0–1 or 0 %–100 %"))
                    continue
                if not reason:
                    problems.append(Problem.plain(path, line, f"{node.name} gives no reason for its ink",
                                            "say why in a comment on the same line: /* … */"))
                press[node.name[:-len("-press")]] = (cmyk, reason, line)
            elif value.startswith("var("):
                target = re.fullmatch(r"var\(\s*(--color-[a-z0-9-]+)\s*\)", value)
                if target is None:
                    problems.append(Problem.plain(path, line, f"{node.name}: `{value}` is not a colour",
                                            "give #rrggbb, or var(--color-OTHER) for the same colour as OTHER"))
                    continue
                aliases[node.name] = (target.group(1), line)
            elif HEX.fullmatch(value):
                screen[node.name] = (_six_digits(value), line)
            else:
                problems.append(Problem.plain(path, line, f"{node.name}: `{value}` is not an sRGB colour the press "
                                                    "table can read", "write it as #rrggbb"))
    colours = []
    for name, (hex_value, line) in screen.items():
        if name not in press:
            problems.append(Problem.plain(path, line, f"{name} has no press value",
                                    f"add `{name}-press: device-cmyk(C M Y K);  /* why */` beside it"))
            continue
        cmyk, reason, _ = press[name]
        colours.append(PressColour(name, hex_value, cmyk, reason, line))  # type: ignore[arg-type]
    for name, (_, _, line) in press.items():
        if name not in screen:
            what = ("an alias (var(…)) takes its target's press value" if name in aliases
                    else "there is no such colour")
            problems.append(Problem.plain(path, line, f"{name}-press: {what}",
                                    f"remove it, or define {name} as #rrggbb"))
    for name, (target, line) in aliases.items():
        if target not in screen:
            problems.append(Problem.plain(path, line, f"{name} refers to {target}, which is not a colour defined here",
                                    "point it at a colour defined as #rrggbb in :root"))
    by_rgb: dict[str, PressColour] = {}
    for colour in colours:
        other = by_rgb.setdefault(colour.screen, colour)
        if other.cmyk != colour.cmyk:
            problems.append(Problem.plain(path, colour.line,
                                    f"{colour.token} and {other.token} are both {colour.screen} on screen but differ "
                                    "in print: the press cannot tell which is which",
                                    f"give them one press value, or make {colour.token} an alias: "
                                    f"var({other.token})"))
    if not colours and not problems:
        problems.append(Problem.plain(path, None, "no colour tokens (--color-…) in :root", "define the palette in :root"))
    if problems:
        raise ContentError(problems)
    return PressColours(colours, {name: target for name, (target, _) in aliases.items()}, path)


def _device_cmyk(tokens) -> tuple[float, float, float, float] | None:
    function = [t for t in tokens if t.type not in ("whitespace", "comment")]
    if len(function) != 1 or function[0].type != "function" or function[0].lower_name != "device-cmyk":
        return None
    values = []
    for arg in function[0].arguments:
        if arg.type in ("whitespace", "comment") or (arg.type == "literal" and arg.value == ","):
            continue
        if arg.type == "number":
            values.append(float(arg.value))
        elif arg.type == "percentage":
            values.append(float(arg.value) / 100)
        else:
            return None
    if len(values) != 4 or not all(0 <= v <= 1 for v in values):
        return None
    return tuple(values)  # type: ignore[return-value]


def _six_digits(value: str) -> str:
    value = value.lower()
    return "#" + "".join(ch * 2 for ch in value[1:]) if len(value) == 4 else value


# -- settings ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PressSettings:
    """Everything print.pdf depends on besides the book PDF and its photos."""
    profile: PressProfile
    colours: PressColours
    condition: OutputCondition = FOGRA39
    marks: str = "crop"  # "crop": crop marks outside the bleed; "none"
    document_id: str = ""  # the publication's identifier (urn:uuid:…) → xmpMM:DocumentID
    version_id: str = "1"  # xmpMM:VersionID: raise it when a corrected file goes to the printer
    ink_limit: float = FOGRA39_INK_LIMIT  # total area coverage the press allows, 0–4


def press_settings(profile: Path | None = None, condition: OutputCondition | None = None, marks: str = "crop",
                   tokens: Path = TOKENS, document_id: str = "", version_id: str = "1",
                   ink_limit: float | None = None) -> PressSettings:
    """Settings with the profile found and the colour table read.

    `profile` None: the FOGRA39 profile built at setup, condition FOGRA39. A printer's
    own .icc is described as a custom condition unless `condition` names one.
    """
    if marks not in MARKS:
        raise PressError(f"marks: `{marks}` is not one of {', '.join(MARKS)}")
    loaded = load_press_profile(profile)
    if condition is None:
        condition = FOGRA39 if profile is None else OutputCondition.custom(loaded)
    return PressSettings(loaded, read_press_colours(tokens), condition, marks, document_id, version_id,
                         ink_limit if ink_limit is not None else FOGRA39_INK_LIMIT)


# -- the press file ------------------------------------------------------------------------------

def make_print_pdf(book_pdf: bytes, settings: PressSettings, images: Iterable[PreparedPhoto] = (),
                   kept=None) -> bytes:
    """The book PDF as a PDF/X-4 file for `settings`' press condition.

    `images`: the photos the layout placed, as prepared by images.prepare_photos();
    each one found in the book PDF (by its screen copy's digest) is replaced by its
    print form. Raises PressError if the input is not a book PDF (a page without TrimBox).
    `kept` (the build's cache, cache.Kept): each content stream's converted bytes are
    kept under its own, so that after an edit only the streams that changed are converted.
    """
    photos = list(images)
    with pikepdf.open(io.BytesIO(book_pdf)) as pdf:
        _check_book(pdf)
        _convert_colours(pdf, settings.colours, kept)
        _replace_photos(pdf, photos, settings.profile)
        _blend_in_cmyk(pdf)
        _remove_interactive(pdf)
        _set_boxes_and_marks(pdf, settings.marks)
        _set_output_intent(pdf, settings)
        _set_metadata(pdf, settings, hashlib.sha256(book_pdf).hexdigest())
        out = io.BytesIO()
        # fix_metadata_version=False: the XMP packet is written as it is, not re-serialised.
        pdf.save(out, deterministic_id=True, compress_streams=True, force_version="1.6",
                 fix_metadata_version=False)
        return out.getvalue()


def _check_book(pdf: pikepdf.Pdf) -> None:
    if pdf.is_encrypted:
        raise PressError("the book PDF is encrypted; PDF/X forbids encryption. fix: write it without a password")
    for index, page in enumerate(pdf.pages):
        if "/TrimBox" not in page.obj:
            raise PressError(f"page {index + 1} of the book PDF has no TrimBox: the press file needs the trimmed "
                             "page on every page. fix: write the book PDF with a bleed (MediaBox = trim + bleed, "
                             "TrimBox = the trimmed page)")


def _convert_colours(pdf: pikepdf.Pdf, colours: PressColours, kept=None) -> None:
    """`r g b rg` → `c m y k k` for every token colour, in every content stream; then shadings.

    A converted stream is written Flate-compressed (here, not when the file is saved), and kept so:
    `b"="` for a stream that holds no token colour, else `b"F"` and the compressed bytes."""
    for stream in content_streams(pdf):
        key = kept.key("press colours", colours.identity(), _stored_parts(stream)) if kept is not None else None
        done = kept.get(key) if key is not None else None
        if done is None:
            data = _stream_bytes(stream)
            converted = _converted_operators(data, colours)
            if converted is None:  # a literal string or an inline image: read as PDF, not as text
                converted = _converted_instructions(stream, colours)
            done = b"F" + zlib.compress(converted) if converted is not None and converted != data else b"="
            if key is not None:
                kept.put(key, done)
        if done != b"=":
            target = stream.owner
            if stream.kind == "page":
                target = stream.owner.Contents = pdf.make_stream(b"")
            target.write(done[1:], filter=pikepdf.Name.FlateDecode)
    seen = set()
    for _, resources in resource_dictionaries(pdf):
        shadings = [s for _, s in _items(resources.get("/Shading"))]
        shadings += [p.Shading for _, p in _items(resources.get("/Pattern"))
                     if p.get("/PatternType") == 2 and "/Shading" in p]
        for shading in shadings:
            if shading.objgen in seen and shading.is_indirect:
                continue
            seen.add(shading.objgen)
            _convert_shading(shading, colours)


_DELIMITER = rb"\s\[\]()<>{}/%"
_RGB_OPERATOR = re.compile(rb"\s(rg|RG)(?![^" + _DELIMITER + rb"])")
_NUMBER = rb"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_RGB_OPERANDS = re.compile(rb"(?<![^" + _DELIMITER + rb"])(" + _NUMBER + rb")\s+(" + _NUMBER + rb")\s+("
                           + _NUMBER + rb")\s+$")
_OPERANDS_WITHIN = 64  # bytes before an operator that hold its three numbers
_INLINE_IMAGE = re.compile(rb"(?:^|\s)BI\s")


def _opaque(data: bytes) -> bool:
    """What the operator pattern cannot see past: literal strings (they may hold any text) and inline
    images (any bytes). WeasyPrint writes neither (its text is hex strings): its streams take the quick way."""
    return b"(" in data or b")" in data or (b"BI" in data and _INLINE_IMAGE.search(data) is not None)


def _parts(stream) -> list:
    """The PDF streams a content stream is stored in: a form's own, or a page's contents (one or an array)."""
    if stream.kind != "page":
        return [stream.owner]
    contents = stream.owner.get("/Contents")
    return list(contents) if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []


def _stored_parts(stream) -> list:
    """A content stream as the file stores it (its parts' bytes and filters): what its conversion is
    kept under."""
    return [(hashlib.sha256(part.read_raw_bytes()).hexdigest(), repr(part.get("/Filter")),
             repr(part.get("/DecodeParms"))) for part in _parts(stream)]


def _stream_bytes(stream) -> bytes:
    return b"\n".join(part.read_bytes() for part in _parts(stream))  # as PDF reads an array of streams


def _converted_operators(data: bytes, colours: PressColours) -> bytes | None:
    """The stream with each token colour's `rg`/`RG` replaced, reading its operators as tokens between
    PDF's delimiters (a colour is three numbers and its operator); None where the stream holds what
    only a parser can skip (`_opaque`)."""
    if _opaque(data):
        return None
    out, done = [], 0
    for operator in _RGB_OPERATOR.finditer(data):
        end = operator.start() + 1  # after the white space that ends the operands
        operands = _RGB_OPERANDS.search(data, max(done, end - _OPERANDS_WITHIN), end)
        colour = colours.for_operands(operands.groups()) if operands else None
        if colour is None:
            continue
        out += [data[done:operands.start()], " ".join(_number(v) for v in colour.cmyk).encode(),
                b" k" if operator.group(1) == b"rg" else b" K"]
        done = operator.end()
    return b"".join(out) + data[done:] if out else data


def _converted_instructions(stream, colours: PressColours) -> bytes | None:
    """The same, through pikepdf's parser; None where nothing changed."""
    instructions = stream.instructions()
    changed = False
    for position, instruction in enumerate(instructions):
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            continue
        operator = str(instruction.operator)
        if operator in ("rg", "RG"):
            colour = colours.for_operands(instruction.operands)
            if colour is not None:
                instructions[position] = pikepdf.ContentStreamInstruction(
                    [pikepdf.Object.parse(_number(v).encode()) for v in colour.cmyk],
                    pikepdf.Operator("k" if operator == "rg" else "K"))
                changed = True
    return pikepdf.unparse_content_stream(instructions) if changed else None


def _convert_shading(shading, colours: PressColours) -> None:
    """A gradient between token colours gets the tokens' inks; any other is left for the preflight to report."""
    if shading.get("/ColorSpace") != pikepdf.Name.DeviceRGB or "/Function" not in shading:
        return
    function = _cmyk_function(shading.Function, colours)
    background = shading.get("/Background")
    if background is not None:
        token = colours.for_operands(list(background))
        background = pikepdf.Array([float(v) for v in token.cmyk]) if token else None
        if background is None:
            return
    if function is None:
        return
    shading.Function = function
    shading.ColorSpace = pikepdf.Name.DeviceCMYK
    if background is not None:
        shading.Background = background


def _cmyk_function(function, colours: PressColours):
    """A copy of an exponential (type 2) or stitching (type 3) function over RGB, over CMYK; None if not possible."""
    if not isinstance(function, pikepdf.Dictionary) or isinstance(function, pikepdf.Stream):
        return None
    kind = int(function.get("/FunctionType", -1))
    if kind == 2:
        ends = []
        for key in ("/C0", "/C1"):
            if key not in function:
                return None
            token = colours.for_operands(list(function[key]))
            if token is None:
                return None
            ends.append(pikepdf.Array([float(v) for v in token.cmyk]))
        copy = pikepdf.Dictionary({k: v for k, v in function.items()})
        copy.C0, copy.C1 = ends
        if "/Range" in copy:
            del copy["/Range"]
        return copy
    if kind == 3:
        parts = [_cmyk_function(f, colours) for f in function.Functions]
        if any(p is None for p in parts):
            return None
        copy = pikepdf.Dictionary({k: v for k, v in function.items()})
        copy.Functions = pikepdf.Array(parts)
        if "/Range" in copy:
            del copy["/Range"]
        return copy
    return None


# The PDF matrix that draws a photo stored with EXIF orientation N upright, in the unit
# square the layout placed it in (the same turns as Pillow's ImageOps.exif_transpose).
ORIENTATION_MATRIX = {
    2: (-1, 0, 0, 1, 1, 0),  # mirrored left to right
    3: (-1, 0, 0, -1, 1, 1),  # turned 180°
    4: (1, 0, 0, -1, 0, 1),  # mirrored top to bottom
    5: (0, -1, -1, 0, 1, 1),  # mirrored along the main diagonal
    6: (0, -1, 1, 0, 0, 1),  # stored turned 90° anticlockwise: turn it clockwise
    7: (0, 1, 1, 0, 0, 0),  # mirrored along the other diagonal
    8: (0, 1, -1, 0, 1, 0),  # stored turned 90° clockwise: turn it anticlockwise
}


def _replace_photos(pdf: pikepdf.Pdf, photos: list[PreparedPhoto], profile: PressProfile) -> None:
    """Each image that is a photo's screen copy becomes the photo's print form, in place
    (every page and form that draws it sees the change)."""
    if not photos:
        return
    by_file = {c.sha256: p for p in photos for c in p.copies.values() if c.format == "JPEG"}
    by_pixels = {(c.width, c.height, c.pixels_sha256): p for p in photos for c in p.copies.values()
                 if c.format != "JPEG"}
    sizes = {(w, h) for w, h, _ in by_pixels}
    done = set()
    for _, resources in resource_dictionaries(pdf):
        for _, xobject in _items(resources.get("/XObject")):
            if xobject.get("/Subtype") != "/Image" or xobject.objgen in done:
                continue
            done.add(xobject.objgen)
            photo = _which_photo(xobject, by_file, by_pixels, sizes)
            if photo is not None:
                _embed(pdf, xobject, photo.print_image(profile.data))


def _which_photo(xobject, by_file, by_pixels, sizes) -> PreparedPhoto | None:
    filters = xobject.get("/Filter")
    filters = list(filters) if isinstance(filters, pikepdf.Array) else [filters]
    if filters == [pikepdf.Name.DCTDecode]:
        return by_file.get(hashlib.sha256(xobject.read_raw_bytes()).hexdigest())
    size = (int(xobject.get("/Width", 0)), int(xobject.get("/Height", 0)))
    if size not in sizes:
        return None
    try:
        pixels = pikepdf.PdfImage(xobject).as_pil_image()
    except (pikepdf.PdfError, pikepdf.UnsupportedImageTypeError, NotImplementedError, ValueError):
        return None  # not an image a copy can be
    if pixels.mode in ("RGBA", "LA"):  # pikepdf applies the soft mask; the copy's digest is of the colours alone
        pixels = pixels.convert(pixels.mode[:-1])
    return by_pixels.get((*size, hashlib.sha256(pixels.tobytes()).hexdigest()))


def _embed(pdf: pikepdf.Pdf, xobject: pikepdf.Stream, image: PrintImage) -> None:
    if image.orientation == 1:
        _write_image(pdf, xobject, image)
        return
    # An original kept byte for byte still carries its EXIF turn: a form draws it upright in
    # the unit square the layout placed the (already upright) screen copy in.
    stored = pdf.make_stream(b"")
    _write_image(pdf, stored, image)
    _clear(xobject)
    matrix = " ".join(str(v) for v in ORIENTATION_MATRIX[image.orientation])
    xobject.write(f"q {matrix} cm /Photo Do Q".encode())
    xobject.Type = pikepdf.Name.XObject
    xobject.Subtype = pikepdf.Name.Form
    xobject.BBox = pikepdf.Array([0, 0, 1, 1])
    xobject.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Photo=stored))


def _write_image(pdf: pikepdf.Pdf, stream: pikepdf.Stream, image: PrintImage) -> None:
    _clear(stream)
    parms = pikepdf.Dictionary({k: v for k, v in image.decode_parms.items()}) if image.decode_parms else None
    stream.write(image.data, filter=pikepdf.Name(image.filter), decode_parms=parms)
    stream.Type = pikepdf.Name.XObject
    stream.Subtype = pikepdf.Name.Image
    stream.Width, stream.Height = image.width, image.height
    stream.ColorSpace = pikepdf.Name(image.colour_space)
    stream.BitsPerComponent = 8
    if image.inverted:
        stream.Decode = pikepdf.Array([1, 0] * 4)
    if image.smask is not None:
        mask = pdf.make_stream(b"")
        _write_image(pdf, mask, image.smask)
        stream.SMask = mask


def _clear(stream: pikepdf.Stream) -> None:
    """Every key gone (the screen copy's /Interpolate, /DecodeParms, /SMask, /StructParent …)."""
    for key in list(stream.keys()):
        if key != "/Length":
            del stream[key]


def _blend_in_cmyk(pdf: pikepdf.Pdf) -> None:
    """Transparency groups blend in the press's colour space, not in sRGB."""
    holders = [page.obj for page in pdf.pages]
    holders += [s.owner for s in content_streams(pdf) if s.kind in ("form", "appearance")]
    for holder in holders:
        group = holder.get("/Group")
        if isinstance(group, pikepdf.Dictionary) and group.get("/S") == "/Transparency" \
                and _is_rgb_space(group.get("/CS")):
            group.CS = pikepdf.Name.DeviceCMYK


def _is_rgb_space(space) -> bool:
    if space is None:
        return False
    if isinstance(space, pikepdf.Name):
        return space in (pikepdf.Name.DeviceRGB, pikepdf.Name.CalRGB)
    if isinstance(space, pikepdf.Array) and len(space) >= 2:
        if space[0] == pikepdf.Name.ICCBased:
            return int(space[1].get("/N", 0)) == 3
        return space[0] == pikepdf.Name.CalRGB
    return False


def _remove_interactive(pdf: pikepdf.Pdf) -> None:
    """No annotations, forms, scripts or structure tree: a press file is imposed and printed, not read."""
    root = pdf.Root
    for key in ("/StructTreeRoot", "/MarkInfo", "/AcroForm", "/OpenAction", "/AA"):
        if key in root:
            del root[key]
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
        del names["/JavaScript"]
    item = root.get("/Outlines", pikepdf.Dictionary()).get("/First")
    while item is not None:  # bookmarks stay; their links into the structure tree go with it
        if "/SE" in item:
            del item["/SE"]
        item = item.get("/First") or item.get("/Next") or _next_up(item)
    for page in pdf.pages:
        for key in ("/Annots", "/StructParents", "/Tabs", "/AA"):
            if key in page.obj:
                del page.obj[key]
    for stream in content_streams(pdf):
        if stream.kind == "form" and "/StructParents" in stream.owner:
            del stream.owner["/StructParents"]
    for _, resources in resource_dictionaries(pdf):
        for _, xobject in _items(resources.get("/XObject")):
            if "/StructParent" in xobject:
                del xobject["/StructParent"]


def _next_up(item):
    """The bookmark after `item`'s parent (or grandparent …), walking the outline depth first."""
    parent = item.get("/Parent")
    while parent is not None and "/Next" not in parent:
        parent = parent.get("/Parent")
    return parent.get("/Next") if parent is not None else None


def _set_boxes_and_marks(pdf: pikepdf.Pdf, marks: str) -> None:
    registration = _registration_space(pdf) if marks == "crop" else None
    for page in pdf.pages:
        trim = [float(v) for v in page.obj.TrimBox]
        # The book's BleedBox is trim + bleed; without one, its MediaBox is.
        box = [float(v) for v in page.obj.get("/BleedBox", page.obj.MediaBox)]
        bleed = max(trim[0] - box[0], trim[1] - box[1], box[2] - trim[2], box[3] - trim[3], 0.0)
        page.obj.BleedBox = pikepdf.Array(box)
        for key in ("/CropBox", "/ArtBox"):
            if key in page.obj:
                del page.obj[key]
        if marks == "none":
            page.obj.MediaBox = pikepdf.Array(box)
            continue
        offset = bleed + MARK_GAP
        margin = offset + MARK_LENGTH + SLUG
        page.obj.MediaBox = pikepdf.Array([trim[0] - margin, trim[1] - margin, trim[2] + margin, trim[3] + margin])
        resources = page.obj.get("/Resources")
        if resources is None:
            resources = page.obj.Resources = pikepdf.Dictionary()
        if "/ColorSpace" not in resources:
            resources.ColorSpace = pikepdf.Dictionary()
        resources.ColorSpace[REGISTRATION] = registration
        page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
        page.contents_add(pdf.make_stream(b"Q\n" + _crop_marks(trim, offset)))


def _registration_space(pdf: pikepdf.Pdf):
    """`/Separation /All`: one tint on every plate, the colour of marks."""
    tint = pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1], N=1)
    return pdf.make_indirect(pikepdf.Array([pikepdf.Name.Separation, pikepdf.Name.All, pikepdf.Name.DeviceCMYK,
                                            tint]))


def _crop_marks(trim: list[float], offset: float) -> bytes:
    """Eight hairlines on the trim lines' extensions, starting `offset` from the trim."""
    x0, y0, x1, y1 = trim
    near, far = offset, offset + MARK_LENGTH
    lines = []
    for x, sx in ((x0, -1), (x1, 1)):
        for y, sy in ((y0, -1), (y1, 1)):
            lines.append((x + sx * near, y, x + sx * far, y))  # along the horizontal trim line
            lines.append((x, y + sy * near, x, y + sy * far))  # along the vertical trim line
    body = "".join(f"{_number(a)} {_number(b)} m {_number(c)} {_number(d)} l S\n" for a, b, c, d in lines)
    return (f"q {REGISTRATION} CS 1 SCN {_number(MARK_WEIGHT)} w 0 J 0 j [] 0 d\n{body}Q\n").encode()


def _set_output_intent(pdf: pikepdf.Pdf, settings: PressSettings) -> None:
    profile = pdf.make_stream(settings.profile.data)
    profile.N = 4
    condition = settings.condition
    intent = pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
        OutputConditionIdentifier=pikepdf.String(condition.identifier),
        OutputCondition=pikepdf.String(condition.condition),
        Info=pikepdf.String(condition.info),
        DestOutputProfile=profile)
    if condition.registry:
        intent.RegistryName = pikepdf.String(condition.registry)
    pdf.Root.OutputIntents = pikepdf.Array([intent])


def _set_metadata(pdf: pikepdf.Pdf, settings: PressSettings, book_digest: str) -> None:
    """/Info and XMP saying the same: PDF/X-4, not trapped, when, what, which document and version."""
    info = pdf.docinfo
    title = str(info.get("/Title", "")) or "print"
    created = parse_pdf_date(info.get("/CreationDate")) or _source_date()
    modified = parse_pdf_date(info.get("/ModDate")) or created
    producer = f"{info.get('/Producer', 'publish')}; pikepdf {pikepdf.__version__}"
    document = _uuid(settings.document_id or title)
    rendition = "\0".join((book_digest, settings.profile.sha256, settings.condition.identifier, settings.marks,
                           settings.version_id))
    instance = uuid.UUID(hashlib.sha256(rendition.encode()).hexdigest()[:32], version=5)  # same input, same id
    creator = str(info.get("/Creator", "")) or "publish"
    for key, value in (("/Title", title), ("/Producer", producer), ("/Creator", creator),
                       ("/GTS_PDFXVersion", "PDF/X-4"),
                       ("/CreationDate", _info_date(created)), ("/ModDate", _info_date(modified))):
        info[key] = pikepdf.String(value)
    info.Trapped = pikepdf.Name("/False")  # nothing trapped: the printer's RIP traps if the press needs it
    fields = {
        "title": title, "author": str(info.get("/Author", "")), "subject": str(info.get("/Subject", "")),
        "keywords": str(info.get("/Keywords", "")), "creator": creator,
        "producer": producer, "created": _xmp_date(created), "modified": _xmp_date(modified),
        "document": f"uuid:{document}", "instance": f"uuid:{instance}", "version": settings.version_id,
        "language": str(pdf.Root.get("/Lang", "")),
    }
    metadata = pdf.make_stream(_xmp(fields).encode("utf-8"))
    metadata.Type, metadata.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
    pdf.Root.Metadata = metadata


def _xmp(f: dict) -> str:
    e = {k: escape(v, {'"': "&quot;"}) for k, v in f.items()}
    creator = f"<dc:creator><rdf:Seq><rdf:li>{e['author']}</rdf:li></rdf:Seq></dc:creator>" if f["author"] else ""
    subject = (f"<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{e['subject']}</rdf:li></rdf:Alt>"
               "</dc:description>") if f["subject"] else ""
    language = f"<dc:language><rdf:Bag><rdf:li>{e['language']}</rdf:li></rdf:Bag></dc:language>" \
        if f["language"] else ""
    keywords = f"<pdf:Keywords>{e['keywords']}</pdf:Keywords>" if f["keywords"] else ""
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about=""
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
  xmlns:xmp="http://ns.adobe.com/xap/1.0/"
  xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
  xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{e['title']}</rdf:li></rdf:Alt></dc:title>
{creator}{subject}{language}
<pdf:Producer>{e['producer']}</pdf:Producer>{keywords}
<pdf:Trapped>False</pdf:Trapped>
<xmp:CreatorTool>{e['creator']}</xmp:CreatorTool>
<xmp:CreateDate>{e['created']}</xmp:CreateDate>
<xmp:ModifyDate>{e['modified']}</xmp:ModifyDate>
<xmp:MetadataDate>{e['modified']}</xmp:MetadataDate>
<xmpMM:DocumentID>{e['document']}</xmpMM:DocumentID>
<xmpMM:InstanceID>{e['instance']}</xmpMM:InstanceID>
<xmpMM:VersionID>{e['version']}</xmpMM:VersionID>
<xmpMM:RenditionClass>default</xmpMM:RenditionClass>
<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>"""


PDF_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-]\d{2}'?\d{2}'?)?")


def parse_pdf_date(value) -> datetime | None:
    """A PDF date string (`D:20240701000000Z`, `D:2024…+08'00'`) as a UTC datetime; None if it is none."""
    match = PDF_DATE.match(str(value)) if value is not None else None
    if match is None:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    moment = datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0), int(second or 0),
                      tzinfo=timezone.utc)
    if zone and zone != "Z":  # local time: to UTC
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace("'", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    return moment


def _source_date() -> datetime:
    from .html import source_date
    return source_date().astimezone(timezone.utc)


def _info_date(moment: datetime) -> str:
    return moment.strftime("D:%Y%m%d%H%M%SZ")


def _xmp_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _uuid(identifier: str) -> uuid.UUID:
    """The publication's urn:uuid as it is, any other identifier as a stable name-based UUID."""
    text = identifier.removeprefix("urn:uuid:")
    try:
        return uuid.UUID(text)
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, identifier)


def _number(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _items(dictionary):
    return list(dictionary.items()) if isinstance(dictionary, pikepdf.Dictionary) else []
