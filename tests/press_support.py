"""What the press tests share: book PDFs rendered by WeasyPrint with the project's styles,
photos made with Pillow, and readers that look into a PDF without the code under test.

The readers here (`rgb_anywhere`, `colour_operators`, `tokens_from_css`) are written
independently of publish/render/press.py and preflight.py, so a test that uses them
checks the press file against a second opinion, not against itself.
"""
from __future__ import annotations

import io
import re
import struct
import subprocess
import zlib
from pathlib import Path

import pikepdf
import pytest
import weasyprint
from PIL import Image

from publish.paths import STYLES
from publish.render.press import PressError, load_press_profile

MM = 72 / 25.4
STYLESHEETS = ("tokens.css", "content.css", "paged.css")


def press_profile():
    """The profile setup builds; a test run without it fails saying how to build it."""
    try:
        return load_press_profile()
    except PressError as error:
        pytest.fail(str(error))


def render_book(body: str, base: Path, bleed: str = "3mm", title: str = "测试报告") -> bytes:
    """A book PDF as the layout writes it: tagged PDF/UA-1, sRGB, MediaBox = trim + bleed, no marks."""
    links = "".join(f'<link rel="stylesheet" href="{(STYLES / s).as_uri()}">' for s in STYLESHEETS)
    html = (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="author" content="测试出版社">'
            f'<meta name="dcterms.created" content="2024-07-01T00:00:00Z">'
            f'{links}<style>@page {{ size: A4; bleed: {bleed}; marks: none; }}</style></head>'
            f'<body class="layout-report">{body}</body></html>')
    return weasyprint.HTML(string=html, base_url=base.as_uri() + "/").write_pdf(pdf_variant="pdf/ua-1",
                                                                               pdf_tags=True)


# -- photos -------------------------------------------------------------------------------------

def photo_pattern(size, mode="RGB"):
    """A photo-like picture (smooth gradients and detail) with a marker in its top-left corner:
    red in RGB, full cyan in CMYK, black in grey — so a test sees which way up it prints."""
    width, height = size
    image = Image.linear_gradient("L").resize(size)
    if mode == "RGB":
        image = Image.merge("RGB", (image, image.transpose(Image.Transpose.ROTATE_90).resize(size),
                                    Image.new("L", size, 140)))
        marker = (255, 0, 0)
    elif mode == "CMYK":
        image = Image.merge("CMYK", (Image.new("L", size, 30), image, Image.new("L", size, 60),
                                     Image.new("L", size, 0)))
        marker = (255, 0, 0, 0)
    else:
        image = image.point(lambda v: 90 + v // 2)
        marker = 0
    corner = Image.new(image.mode, (max(2, width // 5), max(2, height // 5)), marker)
    image.paste(corner, (0, 0))
    return image


def save_jpeg(path: Path, image: Image.Image, orientation: int = 1, gps: bool = False, icc: bytes | None = None,
              quality: int = 92) -> Path:
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    if orientation != 1:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 30.0)}
    extra = {"icc_profile": icc} if icc else {}
    image.save(path, "JPEG", quality=quality, exif=exif, **extra)
    return path


def stored_for_orientation(upright: Image.Image, orientation: int) -> Image.Image:
    """The pixels a camera stores for `upright` under EXIF orientation 6 or 8."""
    return {6: upright.transpose(Image.Transpose.ROTATE_90),
            8: upright.transpose(Image.Transpose.ROTATE_270)}[orientation]


def png16(path: Path, size, grey: bool, value) -> Path:
    """A 16-bit PNG (Pillow writes none in RGB): one colour, `value` per channel 0–65535."""
    width, height = size
    channels = (value,) if grey else value
    pixel = b"".join(struct.pack(">H", v) for v in channels)
    raw = b"".join(b"\0" + pixel * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 16, 0 if grey else 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
                     + chunk(b"IEND", b""))
    return path


def figure(src: Path, width_mm: float) -> str:
    return (f'<div class="figure" style="width:auto">'
            f'<img src="{src.as_uri()}" alt="照片" style="width:{width_mm}mm"></div>')


# -- second opinions on a PDF -------------------------------------------------------------------

def content_streams(pdf: pikepdf.Pdf):
    """Every stream that holds drawing operators: pages, forms, tiling patterns, Type 3 glyphs."""
    for page in pdf.pages:
        yield f"page {page.index + 1}", page
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and (obj.get("/Subtype") == "/Form" or obj.get("/PatternType") == 1):
            yield f"object {obj.objgen[0]}", obj
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/Type3":
            for _, glyph in obj.CharProcs.items():
                yield f"glyph in object {obj.objgen[0]}", glyph


def colour_operators(pdf: pikepdf.Pdf) -> dict[str, set[tuple]]:
    """Colour-setting operator → the operand tuples seen, over every content stream."""
    seen: dict[str, set[tuple]] = {}
    for _, holder in content_streams(pdf):
        for operands, operator in pikepdf.parse_content_stream(holder):
            op = str(operator)
            if op in ("rg", "RG", "k", "K", "g", "G", "cs", "CS", "sc", "scn", "SC", "SCN"):
                seen.setdefault(op, set()).add(tuple(round(float(v), 4) if not isinstance(v, pikepdf.Name)
                                                     else str(v) for v in operands))
    return seen


def rgb_anywhere(pdf: pikepdf.Pdf) -> list[str]:
    """Every trace of DeviceRGB: operators, colour spaces of images, shadings, groups, resources."""
    found = []
    for where, holder in content_streams(pdf):
        for operands, operator in pikepdf.parse_content_stream(holder):
            if str(operator) in ("rg", "RG"):
                found.append(f"{where}: {operator}")
            if str(operator) in ("cs", "CS") and operands and str(operands[0]) == "/DeviceRGB":
                found.append(f"{where}: {operator} /DeviceRGB")

    def mentions_rgb(value) -> bool:
        if isinstance(value, pikepdf.Name):
            return value == "/DeviceRGB"
        if isinstance(value, pikepdf.Array):
            return any(mentions_rgb(v) for v in value if not isinstance(v, (pikepdf.Stream, pikepdf.Dictionary)))
        return False
    for obj in pdf.objects:
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            for key in ("/ColorSpace", "/CS"):
                value = obj.get(key)
                if value is None:
                    continue
                values = [v for _, v in value.items()] if isinstance(value, pikepdf.Dictionary) else [value]
                if any(mentions_rgb(v) for v in values):
                    found.append(f"object {obj.objgen[0]} {key}")
    return found


def tokens_from_css(path: Path = STYLES / "tokens.css") -> dict[str, tuple[str, tuple[float, ...]]]:
    """--color-NAME → (#rrggbb, CMYK) read with two regular expressions (not the press module's parser)."""
    text = path.read_text()
    screen = dict(re.findall(r"(--color-[a-z-]+?):\s*(#[0-9a-f]{6})\s*;", text))
    press = {name: tuple(float(v) for v in values.split())
             for name, values in re.findall(r"(--color-[a-z-]+?)-press:\s*device-cmyk\(([^)]*)\)", text)}
    return {name: (value, press[name]) for name, value in screen.items()}


def render_region(pdf_bytes: bytes, page: int, x_mm: float, y_mm: float, w_mm: float, h_mm: float,
                  tmp: Path, dpi: int = 150) -> Image.Image:
    """Pixels of a region (mm from the MediaBox's top-left corner), rendered by poppler."""
    source = tmp / "region.pdf"
    source.write_bytes(pdf_bytes)
    px = lambda mm: round(mm / 25.4 * dpi)  # noqa: E731
    stem = tmp / f"region-{page}-{x_mm}-{y_mm}"
    subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-x", str(px(x_mm)),
                    "-y", str(px(y_mm)), "-W", str(px(w_mm)), "-H", str(px(h_mm)), "-png", "-singlefile",
                    str(source), str(stem)], check=True)
    return Image.open(f"{stem}.png").convert("RGB")


def drawn_xobjects(page) -> list:
    """The XObjects a page's own content draws, in order (resources may list more: WeasyPrint shares them)."""
    named = page.obj.Resources.get("/XObject", pikepdf.Dictionary())
    return [named[str(operands[0])] for operands, op in pikepdf.parse_content_stream(page) if str(op) == "Do"
            and str(operands[0]) in named]


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))
