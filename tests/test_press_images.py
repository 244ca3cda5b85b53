"""Photos prepared per edition: real photos made with Pillow (a large RGB JPEG with GPS data,
a CMYK JPEG, EXIF-turned ones, 16-bit PNGs, a translucent PNG, a small one), each edition
checked for what it gets: size, colour space, orientation, metadata; the print file read back
with pikepdf and rendered by poppler."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from publish.render import images
from publish.render.images import LONG_EDGE, prepare_photo, resolution_problem
from publish.render.press import make_print_pdf, press_settings

from .press_support import (drawn_xobjects, figure, open_pdf, photo_pattern, png16, press_profile, render_book,
                            render_region, save_jpeg, stored_for_orientation)

ADOBE_RGB = Path("/usr/share/color/icc/compatibleWithAdobeRGB1998.icc")  # icc-profiles-free, installed at setup


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("photos")


@pytest.fixture(scope="module")
def profile():
    return press_profile()


@pytest.fixture(scope="module")
def photos(folder, profile):
    made = {
        "large": save_jpeg(folder / "large.jpg", photo_pattern((4000, 2667)), gps=True),
        "cmyk": save_jpeg(folder / "cmyk.jpg", photo_pattern((1800, 1200), "CMYK")),
        "turned": save_jpeg(folder / "turned.jpg", stored_for_orientation(photo_pattern((1200, 1800)), 6),
                            orientation=6),
        "grey-turned": save_jpeg(folder / "grey-turned.jpg",
                                 stored_for_orientation(photo_pattern((1200, 1800), "L"), 8), orientation=8),
        "deep": png16(folder / "deep.png", (1500, 1000), grey=False, value=(65535, 32768, 0)),
        "deep-grey": png16(folder / "deep-grey.png", (600, 400), grey=True, value=32768),
        "small": save_jpeg(folder / "small.jpg", photo_pattern((300, 200))),
    }
    Image.new("RGBA", (900, 600), (20, 120, 200, 128)).save(folder / "translucent.png")
    made["translucent"] = folder / "translucent.png"
    return {name: prepare_photo(path, folder / "cache", cmyk_profile=profile.data) for name, path in made.items()}


@pytest.fixture(scope="module")
def book(folder, photos, profile):
    """One figure a page, 100 mm wide: what the layout and the press make of each photo."""
    order = ["large", "cmyk", "turned", "grey-turned", "deep", "translucent"]
    body = "".join(f'<section style="break-before: page">{figure(photos[n].copy("screen").path, 100)}</section>'
                   for n in order)
    book = render_book(f"<main>{body}</main>", folder)
    press = make_print_pdf(book, press_settings(), photos.values())
    return {"order": order, "book": book, "press": press}


def read(path: Path) -> Image.Image:
    image = Image.open(path)
    image.load()
    return image


def test_each_edition_gets_a_copy_sized_to_its_largest_display(photos):
    large = photos["large"]
    assert (large.photo.width, large.photo.height) == (4000, 2667)
    for edition, long_edge in (("screen", 2000), ("web", 1600), ("epub", 1600)):
        copy = large.copy(edition)
        assert (copy.width, copy.height) == (long_edge, round(2667 * long_edge / 4000))
        assert read(copy.path).size == (copy.width, copy.height)
        assert copy.format == "JPEG" and read(copy.path).mode == "RGB"
    assert LONG_EDGE == {"screen": 2000, "web": 1600, "epub": 1600}
    small = photos["small"]
    assert all((c.width, c.height) == (300, 200) for c in small.copies.values()), "never enlarged"


def test_copies_carry_no_metadata(photos):
    original = photos["large"].photo.path.read_bytes()
    assert b"Exif" in original and b"TestCam" in original, "the original has its camera data and GPS position"
    for photo in photos.values():
        for copy in photo.copies.values():
            data = copy.path.read_bytes()
            assert b"Exif" not in data and b"ICC_PROFILE" not in data and b"iCCP" not in data, copy.path
            assert b"TestCam" not in data and b"http://ns.adobe.com/xap" not in data
            image = read(copy.path)
            assert "exif" not in image.info and "icc_profile" not in image.info


def test_a_cmyk_photo_is_shown_in_rgb_and_printed_as_it_is(photos, profile):
    cmyk = photos["cmyk"]
    copy = read(cmyk.copy("screen").path)
    assert copy.mode == "RGB"
    r, g, b = copy.getpixel((20, 20))  # the full-cyan marker
    assert r < 100 and g > 120 and b > 180
    printed = cmyk.print_image(profile.data)
    assert printed.data == cmyk.photo.path.read_bytes(), "the separation is kept byte for byte"
    assert printed.colour_space == "/DeviceCMYK" and printed.filter == "/DCTDecode"
    assert printed.inverted, "Pillow writes Adobe CMYK JPEGs, whose samples are inverted"


def test_an_rgb_photo_prints_separated_at_full_resolution(photos, profile):
    printed = photos["large"].print_image(profile.data)
    assert (printed.width, printed.height) == (4000, 2667)
    assert printed.colour_space == "/DeviceCMYK"
    separated = read_jpeg_bytes(printed.data)
    assert separated.mode == "CMYK" and separated.size == (4000, 2667)
    c, m, y, k = separated.getpixel((100, 100))  # the red marker: magenta and yellow, little cyan
    assert m > 200 and y > 200 and c < 40


def read_jpeg_bytes(data: bytes) -> Image.Image:
    import io
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_exif_orientation_is_applied_to_copies(photos):
    for name in ("turned", "grey-turned"):
        photo = photos[name]
        assert photo.photo.orientation in (6, 8)
        assert (photo.photo.width, photo.photo.height) == (1200, 1800), "upright size"
        copy = read(photo.copy("screen").path)
        assert copy.size == (1200, 1800)
        marker = copy.getpixel((60, 60))
        far = copy.getpixel((1140, 1740))
        if copy.mode == "RGB":
            assert marker[0] > 200 and marker[1] < 60 and marker[2] < 60, marker
            assert not (far[0] > 200 and far[1] < 60), far
        else:
            assert marker < 30 and far > 100, (marker, far)


def test_sixteen_bit_pngs_become_eight_bit_copies_of_the_same_colour(photos, profile):
    deep = read(photos["deep"].copy("web").path)
    assert photos["deep"].photo.bits == 16 and deep.mode == "RGB"
    assert deep.getpixel((5, 5)) == (255, 128, 0)
    grey = read(photos["deep-grey"].copy("web").path)
    assert grey.mode == "L" and grey.getpixel((5, 5)) == 128, "scaled, not clipped at 255"
    printed = photos["deep"].print_image(profile.data)
    assert printed.filter == "/FlateDecode" and printed.colour_space == "/DeviceCMYK"
    assert (printed.width, printed.height) == (1500, 1000)


def test_an_embedded_rgb_profile_is_honoured(folder, profile):
    green = Image.new("RGB", (64, 64), (0, 200, 0))
    path = save_jpeg(folder / "adobe.jpg", green, icc=ADOBE_RGB.read_bytes(), quality=100)
    photo = prepare_photo(path, folder / "cache", cmyk_profile=profile.data)
    r, g, b = read(photo.copy("screen").path).getpixel((32, 32))
    assert g > 200 and r < 40, "Adobe RGB's green is a more saturated green in sRGB"
    plain = prepare_photo(save_jpeg(folder / "plain.jpg", green, quality=100), folder / "cache")
    assert read(plain.copy("screen").path).getpixel((32, 32))[1] < g


def test_copies_are_made_once_and_found_by_content(folder, profile):
    source = save_jpeg(folder / "cached.jpg", photo_pattern((2400, 1600)))
    cache = folder / "cache-once"
    first = prepare_photo(source, cache, cmyk_profile=profile.data)
    stamps = {p: p.stat().st_mtime_ns for p in cache.iterdir()}
    second = prepare_photo(source, cache, cmyk_profile=profile.data)
    assert second.copies == first.copies
    assert {p: p.stat().st_mtime_ns for p in cache.iterdir()} == stamps, "nothing encoded again"
    os.utime(source, (1, 1))  # a touched file with the same bytes is the same photo
    assert prepare_photo(source, cache).copies == first.copies
    save_jpeg(source, photo_pattern((2400, 1600)).transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    changed = prepare_photo(source, cache)
    assert changed.copy("web").path != first.copy("web").path
    assert changed.copy("web").sha256 == hashlib.sha256(changed.copy("web").path.read_bytes()).hexdigest()


def test_each_photo_in_the_book_is_replaced_by_its_print_form(book, photos, profile):
    press = open_pdf(book["press"])
    seen = {}
    for page, name in zip(press.pages, book["order"]):
        (xobject,) = drawn_xobjects(page)
        if xobject.Subtype == "/Form":  # an original kept byte for byte, turned upright by a form
            (xobject,) = [x for _, x in xobject.Resources.XObject.items()]
        seen[name] = xobject
    assert {n: (int(x.Width), int(x.Height)) for n, x in seen.items()} == {
        "large": (4000, 2667), "cmyk": (1800, 1200), "turned": (1200, 1800), "grey-turned": (1800, 1200),
        "deep": (1500, 1000), "translucent": (900, 600)}
    assert {n: str(x.ColorSpace) for n, x in seen.items()} == {
        "large": "/DeviceCMYK", "cmyk": "/DeviceCMYK", "turned": "/DeviceCMYK", "grey-turned": "/DeviceGray",
        "deep": "/DeviceCMYK", "translucent": "/DeviceCMYK"}
    assert seen["cmyk"].read_raw_bytes() == photos["cmyk"].photo.path.read_bytes()
    assert list(seen["cmyk"].Decode) == [1, 0] * 4
    assert seen["grey-turned"].read_raw_bytes() == photos["grey-turned"].photo.path.read_bytes()
    mask = seen["translucent"].SMask
    assert (int(mask.Width), int(mask.Height), str(mask.ColorSpace)) == (900, 600, "/DeviceGray")
    assert all(isinstance(x, pikepdf.Stream) for x in seen.values())


def figure_corners(pdf_bytes: bytes, page: int, tmp: Path, margin_mm: float):
    """The colours near the top-left and bottom-right corners of the one figure on a page."""
    page_area = render_region(pdf_bytes, page, margin_mm, margin_mm, 210, 260, tmp, dpi=40)
    inked = [(x, y) for x in range(page_area.width) for y in range(page_area.height)
             if max(page_area.getpixel((x, y))) - min(page_area.getpixel((x, y))) > 40
             or sum(page_area.getpixel((x, y))) < 500]
    x0, y0 = min(x for x, _ in inked), min(y for _, y in inked)
    x1, y1 = max(x for x, _ in inked), max(y for _, y in inked)
    inset_x, inset_y = (x1 - x0) // 20 + 1, (y1 - y0) // 20 + 1
    return (page_area.getpixel((x0 + inset_x, y0 + inset_y)), page_area.getpixel((x1 - inset_x, y1 - inset_y)),
            (x1 - x0, y1 - y0))


@pytest.mark.parametrize("name", ["turned", "grey-turned", "cmyk"])
def test_printed_photos_are_upright_and_in_their_colours(book, name, tmp_path):
    """Rendered by poppler: the marker is top-left in print as in the screen PDF, a portrait
    stays portrait, and the CMYK photo's cyan marker prints cyan (its inverted samples decoded)."""
    page = book["order"].index(name) + 1
    marker, far, (width, height) = figure_corners(book["press"], page, tmp_path, margin_mm=11)
    book_marker, _, (book_width, book_height) = figure_corners(book["book"], page, tmp_path, margin_mm=3)
    assert (width > height) == (book_width > book_height)
    if name == "turned":
        assert marker[0] > 150 and marker[1] < 90 and marker[2] < 90, marker
        assert not (far[0] > 150 and far[1] < 90), far
    elif name == "grey-turned":
        assert max(marker) < 60 and min(far) > 100, (marker, far)
    else:
        assert marker[0] < 100 and marker[2] > 150 and book_marker[0] < 100, (marker, book_marker)


@pytest.mark.parametrize("ppi, strict, expected", [
    (300, True, None), (299, False, "warning"), (150, True, "warning"), (149, False, "warning"),
    (149, True, "error"), (76, True, "error"),
])
def test_resolution_thresholds(ppi, strict, expected):
    found = resolution_problem(ppi, strict)
    assert (found[0] if found else None) == expected


def test_an_unreadable_photo_names_the_file(folder):
    bad = folder / "broken.jpg"
    bad.write_bytes(b"\xff\xd8 not a jpeg")
    with pytest.raises(images.PhotoError) as raised:
        images.read_photo(bad)
    assert raised.value.problem.path == bad and "JPEG or PNG" in raised.value.problem.hint


def test_a_cmyk_photo_without_profile_needs_the_press_profile_for_screens(folder):
    path = save_jpeg(folder / "bare-cmyk.jpg", photo_pattern((200, 100), "CMYK"))
    with pytest.raises(images.PhotoError, match="needs the press profile"):
        prepare_photo(path, folder / "cache-bare")


def test_the_preflight_names_each_photo_with_its_colour_space_and_resolution(book, photos):
    from publish.render.preflight import preflight
    report = preflight(book["press"], press_settings(), photos.values())
    seen = {image.source: image for image in report.images}
    ppi = lambda pixels: pixels / (100 / 25.4)  # noqa: E731  every figure is 100 mm wide
    expected = {"large.jpg": ("DeviceCMYK", (4000, 2667), ppi(4000)),
                "cmyk.jpg": ("DeviceCMYK", (1800, 1200), ppi(1800)),
                "turned.jpg": ("DeviceCMYK", (1200, 1800), ppi(1200)),
                "grey-turned.jpg": ("DeviceGray", (1200, 1800), ppi(1200)),
                "deep.png": ("DeviceCMYK", (1500, 1000), ppi(1500)),
                "translucent.png": ("DeviceCMYK", (900, 600), ppi(900))}
    assert set(seen) == set(expected)
    for source, (space, size, resolution) in expected.items():
        image = seen[source]
        assert (image.colour_space, (image.width, image.height)) == (space, size), source
        assert image.ppi == pytest.approx(resolution, rel=0.003), source
        assert image.placed_mm[0] == pytest.approx(100, abs=0.05)
    assert [p.message.split(" (")[0] for p in report.problems] == ["translucent.png"], \
        "only the 900-px photo is under 300 ppi at 100 mm (229 ppi)"
    assert report.problems[0].severity == "warning" and report.errors == []
