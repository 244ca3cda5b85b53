"""The preflight: a good press file passes and its report says what a printer asks; each
check is shown to fire on a file spoilt in exactly that way, with its page and severity."""
from __future__ import annotations

import io
import re

import pikepdf
import pytest
from PIL import ImageCms

from publish.render import images
from publish.render.preflight import preflight
from publish.render.press import make_print_pdf, press_settings

from .press_support import figure, photo_pattern, press_profile, render_book, save_jpeg

BODY = """<main><section class="doc"><div class="doc__body">
<h3>（一）标题</h3><p>正文段落，全球安全倡议。<a href="https://example.org/">链接</a></p>
<aside class="sidebar"><p class="sidebar__title">【专栏】</p><p>专栏正文。</p></aside>
{figures}
<p style="break-before: page">第二页。</p>
</div></section></main>"""


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("preflight")
    profile = press_profile()
    photos = images.prepare_photos([save_jpeg(folder / "sharp.jpg", photo_pattern((2400, 1600))),
                                    save_jpeg(folder / "soft.jpg", photo_pattern((1000, 667))),
                                    save_jpeg(folder / "coarse.jpg", photo_pattern((300, 200)))],
                                   folder / "cache", cmyk_profile=profile.data)
    settings = press_settings(document_id="urn:uuid:0b9d8f4e-5c6a-4e1f-8a2b-3c4d5e6f7a8b")
    book = render_book(BODY.format(figures=figure(photos[0].copy("screen").path, 100)), folder)
    all_photos = render_book(BODY.format(figures="".join(figure(p.copy("screen").path, 100) for p in photos)),
                             folder)
    return {"book": book, "press": make_print_pdf(book, settings, photos[:1]), "settings": settings,
            "photos": photos, "all": make_print_pdf(all_photos, settings, photos)}


def test_a_good_press_file_passes_and_the_report_says_what_a_printer_asks(made):
    report = preflight(made["press"], made["settings"], made["photos"])
    assert report.problems == []
    assert not report.failed(strict=True)
    text = report.text()
    for line in ("Standard       PDF/X-4 (PDF 1.6)",
                 "Output intent  FOGRA39 — Coated FOGRA39 (ISO 12647-2:2004/Amd 1)",
                 "Trim           210.0 × 297.0 mm", "Bleed          3.0 mm", "Sheet (media)  232.0 × 319.0 mm",
                 "Pages          2, not a multiple of 4 (2 blank pages make it one)",
                 "Problems: 0 errors, 0 warnings"):
        assert line in text, line
    assert re.search(r"Marks +8 per page on 2 pages, registration \(/Separation /All\), 0.25 pt, "
                     r"5.0 mm from the trim", text)
    assert re.search(r"Profile +Coated FOGRA39 \(ISO 12647-2:2004/Amd 1\) \(\d+ KB, CMYK", text)
    (image,) = report.images
    assert image.source == "sharp.jpg" and (image.width, image.height) == (2400, 1600)
    assert image.placed_mm == pytest.approx((100, 66.67), abs=0.05)
    assert image.ppi == pytest.approx(2400 / (100 / 25.4), rel=0.002)  # 610 ppi
    assert image.colour_space == "DeviceCMYK" and 0 < image.max_ink <= 3.3
    assert "sharp.jpg  2400 × 1600 px at 100.0 × 66.7 mm = 610 ppi, DeviceCMYK" in text
    assert report.fonts and all(f.embedded and f.subset for f in report.fonts)
    assert "DeviceCMYK 0 0 0 1" in report.colours and "DeviceCMYK 0.08 0.03 0 0" in report.colours
    assert report.summary().startswith("preflight: PDF/X-4, FOGRA39")
    assert report.summary().endswith("0 errors, 0 warnings")


def test_the_book_pdf_itself_fails_on_every_count(made):
    report = preflight(made["book"], made["settings"])
    messages = " / ".join(p.message for p in report.errors)
    for expected in ("PDF version 1.7", "no PDF/X output intent", "annotation", "not a colour token",
                     "pdfxid:GTS_PDFXVersion", "image"):
        assert expected in messages, expected


def test_low_resolution_photos_are_named_with_their_page(made):
    report = preflight(made["all"], made["settings"], made["photos"])
    by_source = {i.source: i for i in report.images}
    assert by_source["soft.jpg"].ppi == pytest.approx(1000 / (100 / 25.4), rel=0.002)  # 254 ppi
    assert by_source["coarse.jpg"].ppi == pytest.approx(300 / (100 / 25.4), rel=0.002)  # 76 ppi
    soft = [p for p in report.problems if "soft.jpg" in p.message]
    coarse = [p for p in report.problems if "coarse.jpg" in p.message]
    assert [p.severity for p in soft] == ["warning"] and "254 ppi" in soft[0].message
    assert [p.severity for p in coarse] == ["warning"] and "76 ppi" in coarse[0].message
    assert soft[0].page == by_source["soft.jpg"].page
    assert not report.failed() and report.failed(strict=True)
    strict = preflight(made["all"], made["settings"], made["photos"], strict=True)
    assert [p.severity for p in strict.problems if "coarse.jpg" in p.message] == ["error"]
    assert [p.severity for p in strict.problems if "soft.jpg" in p.message] == ["warning"]


def test_a_bound_book_needs_a_multiple_of_four_pages(made):
    report = preflight(made["press"], made["settings"], bound=True)
    assert [(p.severity, p.message) for p in report.problems] == [
        ("warning", "2 pages: a bound book needs a multiple of 4")]


# -- each check on a file spoilt for it -----------------------------------------------------------

def spoil(data: bytes, change, version: str = "") -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        change(pdf)
        out = io.BytesIO()
        pdf.save(out, force_version=version or pdf.pdf_version)
        return out.getvalue()


def draw(page_number: int, content: bytes, resources: dict | None = None):
    def change(pdf):
        page = pdf.pages[page_number - 1]
        for kind, entries in (resources or {}).items():
            holder = page.obj.Resources.get(kind)
            if holder is None:
                page.obj.Resources[kind] = holder = pikepdf.Dictionary()
            for name, value in entries.items():
                holder[name] = value(pdf) if callable(value) else value
        page.contents_add(pdf.make_stream(content))
    return change


def edit_xmp(old: str, new: str):
    def change(pdf):
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert old in xmp
        pdf.Root.Metadata.write(xmp.replace(old, new).encode())
    return change


def first_font(pdf) -> str:
    return str(next(iter(pdf.pages[0].obj.Resources.Font.keys())))


def rgb_image(pdf):
    image = pdf.make_stream(b"\xff\x00\x00" * 4, Width=2, Height=2, ColorSpace=pikepdf.Name.DeviceRGB,
                            BitsPerComponent=8, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image)
    return image


def rgb_group_form(pdf):
    return pdf.make_stream(b"0 0 0 1 k 0 0 5 5 re f", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                           BBox=[0, 0, 5, 5], Group=pikepdf.Dictionary(S=pikepdf.Name.Transparency,
                                                                        CS=pikepdf.Name.DeviceRGB))


def rgb_profile(pdf):
    stream = pdf.make_stream(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    stream.N = 3
    return stream


def set_profile(pdf):
    pdf.Root.OutputIntents[0].DestOutputProfile = rgb_profile(pdf)


def add_link(pdf):
    pdf.pages[1].obj.Annots = pdf.make_indirect(pikepdf.Array([pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[100, 100, 200, 120],
        A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org/")))]))


def delete(key: str, page: int | None = None):
    def change(pdf):
        holder = pdf.pages[page - 1].obj if page else pdf.Root
        del holder[key]
    return change


def set_info(key: str, value):
    def change(pdf):
        if value is None:
            del pdf.docinfo[key]
        else:
            pdf.docinfo[key] = value
    return change


def bleed_beyond_media(pdf):
    media = [float(v) for v in pdf.pages[0].obj.MediaBox]
    pdf.pages[0].obj.BleedBox = pikepdf.Array([media[0] - 10, media[1], media[2], media[3]])


def no_bleed(pdf):
    for page in pdf.pages:
        page.obj.BleedBox = page.obj.TrimBox


def second_trim_size(pdf):
    pdf.pages[1].obj.TrimBox = pikepdf.Array([0, 0, 419.53, 595.28])  # A5
    pdf.pages[1].obj.BleedBox = pikepdf.Array([-8.5, -8.5, 428.03, 603.78])


def font_text(content: str):
    def change(pdf):
        draw(1, f"BT /{first_font(pdf)[1:]} {content} ET".encode())(pdf)
    return change


def helvetica(pdf):
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    draw(1, b"0 0 0 1 k BT /Helv 10 Tf 100 100 Td (x) Tj ET", {"/Font": {"/Helv": font}})(pdf)


def transfer(pdf):
    function = pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0], C1=[1], N=1)
    draw(1, b"/Tr1 gs 0 0 0 1 k 100 100 5 5 re f", {"/ExtGState": {"/Tr1": pikepdf.Dictionary(TR=function)}})(pdf)


def script(pdf):
    names = pdf.Root.get("/Names")
    if names is None:
        pdf.Root.Names = names = pikepdf.Dictionary()
    names.JavaScript = pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("x"), pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))]))


SPOILT = [
    ("pdf 1.7", lambda pdf: None, "1.7", "error", None, "PDF version 1.7: PDF/X-4 allows at most 1.6"),
    ("no output intent", delete("/OutputIntents"), "", "error", None, "no PDF/X output intent"),
    ("rgb output profile", set_profile, "", "error", None, "the output profile is RGB, not CMYK"),
    ("no pdfx id", edit_xmp("<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>", ""), "", "error", None,
     "lacks pdfxid:GTS_PDFXVersion"),
    ("pdfx-3 id", edit_xmp(">PDF/X-4</pdfxid", ">PDF/X-3</pdfxid"), "", "error", None, "XMP says PDF/X-3"),
    ("trapped unknown", edit_xmp("<pdf:Trapped>False", "<pdf:Trapped>Unknown"), "", "error", None,
     "pdf:Trapped is Unknown"),
    ("no document id", edit_xmp("xmpMM:DocumentID", "xmpMM:OtherID"), "", "error", None,
     "lacks xmpMM:DocumentID"),
    ("info trapped missing", set_info("/Trapped", None), "", "error", None, "/Info /Trapped is missing"),
    ("info title missing", set_info("/Title", None), "", "error", None, "/Info has no /Title"),
    ("info title differs", set_info("/Title", pikepdf.String("另一个标题")), "", "error", None,
     "/Info /Title and the XMP's dc:title differ"),
    ("info date differs", set_info("/ModDate", pikepdf.String("D:20250101000000Z")), "", "error", None,
     "/Info /ModDate and the XMP's xmp:ModifyDate differ"),
    ("no trim box", delete("/TrimBox", 2), "", "error", 2, "no TrimBox"),
    ("bleed beyond media", bleed_beyond_media, "", "error", 1, "the BleedBox is not inside the MediaBox"),
    ("no bleed", no_bleed, "", "warning", 1, "bleed 0.0 mm"),
    ("two trim sizes", second_trim_size, "", "warning", None, "pages of 2 trim sizes"),
    ("a link", add_link, "", "error", 2, "1 annotation (Link)"),
    ("a stray sRGB colour", draw(2, b"1 0 0 rg 100 100 10 10 re f"), "", "error", 2, "sRGB colour #ff0000"),
    ("a token left in sRGB", draw(2, b"0.105882 0.105882 0.105882 rg 100 100 10 10 re f"), "", "error", 2,
     "sRGB colour #1b1b1b"),
    ("an rgb image", draw(1, b"q 10 0 0 10 100 100 cm /Red Do Q", {"/XObject": {"/Red": rgb_image}}), "",
     "error", 1, "image 2 × 2 px in DeviceRGB"),
    ("an rgb blending group", draw(1, b"/Grp Do", {"/XObject": {"/Grp": rgb_group_form}}), "", "error", 1,
     "a form's transparency group blends in DeviceRGB"),
    ("rgb colour space", draw(1, b"/DeviceRGB cs 1 0 0 sc 100 100 5 5 re f"), "", "error", 1,
     "a colour in DeviceRGB"),
    ("a font not embedded", helvetica, "", "error", 1, "font Helvetica is not embedded"),
    ("rich black small text", font_text("9 Tf 0.6 0.5 0.5 1 k 100 100 Td <0011> Tj"), "", "error", 1,
     "9.0 pt text in four-colour black"),
    ("tiny text in two inks", font_text("6 Tf 1 0.7 0 0 k 100 100 Td <0011> Tj"), "", "warning", 1,
     "6.0 pt text in 2 inks"),
    ("too much ink", draw(1, b"1 1 1 1 k 100 100 10 10 re f"), "", "error", 1,
     "total ink 400 %, over the press's 330 %"),
    ("a mark in the bleed", draw(1, b"/RegistrationAll CS 1 SCN 0.25 w -5 100 m -1 100 l S"), "", "error", 1,
     "a mark inside the bleed"),
    ("a transfer function", transfer, "", "error", 1, "a transfer function (/TR)"),
    ("a script", script, "", "error", None, "the file holds scripts"),
]


@pytest.mark.parametrize("change, version, severity, page, says", [s[1:] for s in SPOILT], ids=[s[0] for s in SPOILT])
def test_each_check_fires_on_a_file_spoilt_for_it(made, change, version, severity, page, says):
    report = preflight(spoil(made["press"], change, version), made["settings"], made["photos"])
    found = [p for p in report.problems if says in p.message]
    assert found, [str(p) for p in report.problems]
    assert (found[0].severity, found[0].page) == (severity, page), str(found[0])
    assert found[0].hint, "every problem says how to fix it"
    assert report.failed(strict=True)
    assert says in report.text()


def test_a_stray_colour_names_the_nearest_token(made):
    report = preflight(spoil(made["press"], draw(2, b"0.1 0.3 0.6 rg 100 100 10 10 re f")), made["settings"])
    (problem,) = [p for p in report.problems if "sRGB colour" in p.message]
    assert "--color-accent" in problem.hint and "tokens.css" in problem.hint


def test_a_colour_that_is_no_token_is_never_converted_and_is_reported_with_its_page(made, tmp_path):
    body = BODY.format(figures="").replace("第二页。", '<span style="color: #c00000">第二页的红字。</span>')
    press = make_print_pdf(render_book(body, tmp_path), made["settings"])
    with pikepdf.open(io.BytesIO(press)) as pdf:
        kept = [tuple(float(v) for v in operands) for operands, op in pikepdf.parse_content_stream(pdf.pages[1])
                if str(op) == "rg"]
    assert kept == [(pytest.approx(0.752941, abs=1e-5), 0.0, 0.0)], "left as it was: no ink is guessed"
    report = preflight(press, made["settings"])
    (problem,) = report.errors
    assert problem.page == 2 and "sRGB colour #c00000" in problem.message
    assert "the nearest is" in problem.hint


# -- what a page's drawing found, kept for the next build ---------------------------------------------

@pytest.fixture()
def kept(tmp_path):
    from publish.cache import Cache, Kept
    return Kept(Cache(tmp_path / "cache"))


def drawn_pages(monkeypatch) -> list:
    """The pages the preflight runs the drawing of (not those whose findings it kept)."""
    from publish.render import preflight as module
    drawn = []
    real = module._Drawing._draw
    monkeypatch.setattr(module._Drawing, "_draw",
                        lambda self, page: drawn.append(self.pdf.pages.index(page) + 1) or real(self, page))
    return drawn


DRAWN_ON_ONE_PAGE = {"a stray sRGB colour", "a token left in sRGB", "rgb colour space", "too much ink",
                     "a mark in the bleed", "rich black small text", "tiny text in two inks"}  # a page's content
SHARED_RESOURCES = {"an rgb image", "an rgb blending group", "a font not embedded",
                    "a transfer function"}  # the pages' shared resources changed


@pytest.mark.parametrize("name, change, version, page", [(s[0], s[1], s[2], s[4]) for s in SPOILT],
                         ids=[s[0] for s in SPOILT])
def test_a_page_s_kept_findings_report_as_drawing_it_again_would(made, kept, monkeypatch, name, change, version,
                                                                  page):
    """After the good file's pages are kept, the spoilt file is read again only where what its pages draw
    changed, and its report is the one a preflight with nothing kept writes, word for word."""
    spoilt = spoil(made["press"], change, version)
    fresh = preflight(spoilt, made["settings"], made["photos"])
    preflight(made["press"], made["settings"], made["photos"], kept=kept)
    drawn = drawn_pages(monkeypatch)
    again = preflight(spoilt, made["settings"], made["photos"], kept=kept)
    assert again.text() == fresh.text()
    assert [str(p) for p in again.problems] == [str(p) for p in fresh.problems]
    if name in DRAWN_ON_ONE_PAGE:
        assert drawn == [page]
    elif name in SHARED_RESOURCES:
        assert drawn == [1, 2]  # WeasyPrint gives a document's pages one resource dictionary
    else:  # the file, the boxes, an annotation: nothing a page draws
        assert drawn == []
    drawn.clear()
    assert preflight(spoilt, made["settings"], made["photos"], kept=kept).text() == fresh.text()
    assert drawn == []


def test_kept_findings_are_not_those_of_another_page_or_setting(made, kept, monkeypatch):
    """A page's findings are kept under everything its drawing reads and what the report says of it:
    strictness and the photos' names change the key, the page's number does not."""
    drawn = drawn_pages(monkeypatch)
    every_page = list(range(1, len(pikepdf.open(io.BytesIO(made["all"])).pages) + 1))
    preflight(made["all"], made["settings"], made["photos"], kept=kept)
    assert drawn == every_page
    drawn.clear()
    strict = preflight(made["all"], made["settings"], made["photos"], strict=True, kept=kept)
    assert drawn == every_page, "strict makes a coarse photo's warning an error: read again"
    assert strict.text() == preflight(made["all"], made["settings"], made["photos"], strict=True).text()
    drawn.clear()
    unnamed = preflight(made["all"], made["settings"], kept=kept)
    assert drawn == every_page, "without the photos, their names are not known: read again"
    assert "unknown image" in unnamed.text()
    swapped = spoil(made["all"], lambda pdf: pdf.pages.reverse())
    fresh = preflight(swapped, made["settings"], made["photos"]).text()
    drawn.clear()
    assert preflight(swapped, made["settings"], made["photos"], kept=kept).text() == fresh
    assert drawn == [], "the same pages in another order are not read again"


def test_a_page_that_reaches_itself_again_is_read_every_time(made, kept, monkeypatch):
    """A form whose resources hold the form has no digest that another file could share: such a page is
    read every time (its findings are not kept), and reported as it always was."""
    def cycle(pdf):
        form = pdf.make_stream(b"0 0 0 1 k 10 10 5 5 re f", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                               BBox=[0, 0, 100, 100])
        form.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Self=form))
        draw(2, b"q /Loop Do Q", {"/XObject": {"/Loop": form}})(pdf)
    looped = spoil(made["press"], cycle)
    fresh = preflight(looped, made["settings"], made["photos"]).text()
    drawn = drawn_pages(monkeypatch)
    for _ in range(2):
        assert preflight(looped, made["settings"], made["photos"], kept=kept).text() == fresh
    assert drawn == [1, 2, 1, 2], "the pages share the resources that reach the form"


def test_a_long_file_is_read_in_two_halves_side_by_side_to_the_same_report(made, monkeypatch):
    """From DRAWN_SIDE_BY_SIDE pages on, half the pages are read in a forked process: the report is the one
    a single process writes, problems of both halves with their pages, in page order."""
    from publish import cache
    from publish.render import preflight as module

    def long_book(pdf):
        while len(pdf.pages) < module.DRAWN_SIDE_BY_SIDE + 6:
            pdf.pages.append(pdf.pages[len(pdf.pages) % 2])
        for number, content in ((3, b"1 0 0 rg 100 100 10 10 re f"), (len(pdf.pages) - 1, b"0 1 0 rg 9 9 1 1 re f")):
            pdf.pages[number - 1].contents_add(pdf.make_stream(content))
    spoilt = spoil(made["press"], long_book)
    monkeypatch.setattr(cache, "processes_allowed", lambda: 1)
    alone = preflight(spoilt, made["settings"], made["photos"])
    monkeypatch.setattr(cache, "processes_allowed", lambda: 2)
    forked = []
    real = cache.ForkedChild.__init__
    monkeypatch.setattr(cache.ForkedChild, "__init__", lambda self, *args: forked.append(args[0]) or real(self, *args))
    halves = preflight(spoilt, made["settings"], made["photos"])
    assert forked == ["reading half of print.pdf's pages"]
    assert halves.text() == alone.text()
    assert [str(p) for p in halves.problems] == [str(p) for p in alone.problems]
    assert [p.page for p in halves.errors if "sRGB" in p.message] == [3, alone.pages - 1]
