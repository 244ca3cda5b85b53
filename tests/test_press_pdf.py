"""print.pdf as PDF/X-4 in CMYK, made from a real book PDF: WeasyPrint lays out the project's
styles (text, headings, sidebars, boxes, tables, quotes, a link, a translucent block, a
gradient, photos), and the press file is read back with pikepdf and poppler."""
from __future__ import annotations

import hashlib
import re
import subprocess

import pikepdf
import pytest

from publish.render import images
from publish.render.press import MM, PressError, make_print_pdf, press_settings

from .press_support import (colour_operators, figure, open_pdf, photo_pattern, press_profile, render_book,
                            render_region, rgb_anywhere, save_jpeg, tokens_from_css)

IDENTIFIER = "urn:uuid:0b9d8f4e-5c6a-4e1f-8a2b-3c4d5e6f7a8b"
BODY = """
<main><section class="doc"><div class="doc__body">
<h3>（一）三级标题</h3>
<p>正文段落，全球安全倡议。<a href="https://example.org/">一个链接</a>。</p>
<aside class="sidebar"><p class="sidebar__title">【专栏标题】</p><p>专栏正文在浅色底上。</p></aside>
<div class="box"><p class="box__title">要点</p><p>一、列表式要点；</p></div>
<div class="table-block"><p class="table-block__title">表题</p>
<table><tr><th>时间</th><th>文件</th></tr><tr><td>2022.07.26</td><td>联合声明</td></tr></table></div>
<blockquote class="pullquote"><p>醒目引语。</p></blockquote>
<div style="opacity: 0.6; background: var(--color-tint-strong); padding: 2mm">半透明的块</div>
<div style="height: 8mm; background: linear-gradient(to right, var(--color-accent), var(--color-tint))"></div>
{figures}
<p style="break-before: page">第二页的正文。</p>
</div></section></main>
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("press")
    profile = press_profile()
    photos = images.prepare_photos([save_jpeg(folder / "photo.jpg", photo_pattern((2400, 1600)))],
                                   folder / "cache", cmyk_profile=profile.data)
    book = render_book(BODY.format(figures=figure(photos[0].copy("screen").path, 100)), folder)
    settings = press_settings(document_id=IDENTIFIER)
    return {"book": book, "press": make_print_pdf(book, settings, photos), "settings": settings,
            "photos": photos, "folder": folder}


def test_the_file_is_pdf_1_6_with_a_fogra39_output_intent_and_its_profile(built):
    assert built["press"].startswith(b"%PDF-1.6")
    pdf = open_pdf(built["press"])
    (intent,) = pdf.Root.OutputIntents
    assert intent.S == "/GTS_PDFX"
    assert str(intent.OutputConditionIdentifier) == "FOGRA39"
    assert str(intent.RegistryName) == "http://www.color.org"
    assert "FOGRA39" in str(intent.OutputCondition) and str(intent.Info)
    assert int(intent.DestOutputProfile.N) == 4
    assert intent.DestOutputProfile.read_bytes() == press_profile().data


def test_xmp_and_info_identify_pdf_x_4_not_trapped(built):
    pdf = open_pdf(built["press"])
    xmp = pdf.Root.Metadata.read_bytes().decode()
    for expected in ("<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>", "<pdf:Trapped>False</pdf:Trapped>",
                     "<xmpMM:DocumentID>uuid:0b9d8f4e-5c6a-4e1f-8a2b-3c4d5e6f7a8b</xmpMM:DocumentID>",
                     "<xmpMM:VersionID>1</xmpMM:VersionID>", "<xmpMM:RenditionClass>default</xmpMM:RenditionClass>",
                     "<xmp:CreateDate>2024-07-01T00:00:00Z</xmp:CreateDate>",
                     "<xmp:ModifyDate>2024-07-01T00:00:00Z</xmp:ModifyDate>",
                     "<xmp:MetadataDate>2024-07-01T00:00:00Z</xmp:MetadataDate>",
                     '<rdf:li xml:lang="x-default">测试报告</rdf:li>'):
        assert expected in xmp
    assert re.search(r"<xmpMM:InstanceID>uuid:[0-9a-f-]{36}</xmpMM:InstanceID>", xmp)
    assert "pdfuaid" not in xmp, "the tags are gone, so the file no longer claims PDF/UA"
    info = pdf.docinfo
    assert info.Trapped == pikepdf.Name("/False")
    assert str(info.GTS_PDFXVersion) == "PDF/X-4"
    assert str(info.CreationDate) == str(info.ModDate) == "D:20240701000000Z"
    assert str(info.Title) == "测试报告"


def test_every_page_has_its_trim_bleed_and_a_sheet_for_the_marks(built):
    book, press = open_pdf(built["book"]), open_pdf(built["press"])
    assert len(press.pages) == len(book.pages) >= 2
    margin = 11 * MM  # 3 mm bleed + 2 mm gap + 5 mm marks + 1 mm paper
    for before, after in zip(book.pages, press.pages):
        trim = [float(v) for v in before.obj.TrimBox]
        assert [float(v) for v in after.obj.TrimBox] == pytest.approx(trim)
        assert [float(v) for v in after.obj.BleedBox] == pytest.approx([float(v) for v in before.obj.MediaBox])
        assert [float(v) for v in after.obj.BleedBox] == pytest.approx(
            [trim[0] - 3 * MM, trim[1] - 3 * MM, trim[2] + 3 * MM, trim[3] + 3 * MM], abs=0.01)
        assert [float(v) for v in after.obj.MediaBox] == pytest.approx(
            [trim[0] - margin, trim[1] - margin, trim[2] + margin, trim[3] + margin], abs=0.01)
        assert "/CropBox" not in after.obj and "/ArtBox" not in after.obj


def test_no_annotations_no_tags_no_forms(built):
    book, press = open_pdf(built["book"]), open_pdf(built["press"])
    assert any("/Annots" in page.obj for page in book.pages), "the book has its link"
    assert not any("/Annots" in page.obj for page in press.pages)
    assert not [o for o in press.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Annot"]
    for key in ("/StructTreeRoot", "/MarkInfo", "/AcroForm"):
        assert key not in press.Root
    assert not any("/StructParents" in page.obj for page in press.pages)


def test_no_device_rgb_anywhere(built):
    assert rgb_anywhere(open_pdf(built["book"])), "the book is sRGB: the check sees it"
    assert rgb_anywhere(open_pdf(built["press"])) == []


def test_each_colour_is_its_tokens_press_ink(built):
    """Every colour of the book, read back, is the ink tokens.css gives its screen value."""
    tokens = tokens_from_css()
    by_rgb = {tuple(round(int(screen[i:i + 2], 16) / 255, 4) for i in (1, 3, 5)): cmyk
              for screen, cmyk in tokens.values()}
    book_colours = colour_operators(open_pdf(built["book"]))
    press_colours = colour_operators(open_pdf(built["press"]))
    used_rgb = book_colours.get("rg", set()) | book_colours.get("RG", set())
    assert len(used_rgb) >= 6, "the page uses ink, muted, accent, tints, rule, the deep accent"
    expected = {tuple(round(v, 4) for v in by_rgb[rgb]) for rgb in used_rgb}
    assert press_colours.get("k", set()) | press_colours.get("K", set()) == expected
    assert (0.0, 0.0, 0.0, 1.0) in press_colours["k"], "the text"


def test_small_text_is_black_alone(built, tmp_path):
    """pdfplumber's view of every glyph's colour: text under 12 pt that is dark is K only."""
    import pdfplumber
    path = tmp_path / "press.pdf"
    path.write_bytes(built["press"])
    with pdfplumber.open(path) as pdf:
        chars = [c for page in pdf.pages for c in page.chars]
    assert chars
    for char in chars:
        colour = tuple(char["non_stroking_color"] or ())
        assert len(colour) == 4, (char["text"], colour)
        c, m, y, k = colour
        if char["size"] < 12 and k >= 0.5:
            assert c == m == y == 0, (char["text"], char["size"], colour)
    body = [c for c in chars if round(c["size"], 1) == 10.5 and "Serif" in c["fontname"]]
    assert body and all(tuple(c["non_stroking_color"]) == (0, 0, 0, 1) for c in body)


def test_fonts_are_embedded_and_subset(built, tmp_path):
    path = tmp_path / "press.pdf"
    path.write_bytes(built["press"])
    rows = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert rows
    for row in rows:
        name, emb, sub = row.split()[0], row.split()[-5], row.split()[-4]
        assert (emb, sub) == ("yes", "yes"), row
        assert re.match(r"[A-Z]{6}\+", name)


def test_crop_marks_lie_outside_the_bleed(built, tmp_path):
    """Pixels of the top-left corner, rendered by poppler at 150 dpi: a mark on each trim
    line's extension beyond 5 mm from the trim, nothing between the trim and the bleed's edge."""
    corner = render_region(built["press"], 1, 0, 0, 16, 16, tmp_path)  # the sheet's top-left 16 mm
    px = lambda mm: round(mm / 25.4 * 150)  # noqa: E731
    dark = lambda x, y: sum(corner.getpixel((x, y))) < 600  # noqa: E731
    trim = px(11)  # the trim corner sits 11 mm in from the sheet's edges
    # Along the top trim line, 10 mm to 5 mm out from the trim: the horizontal mark; and the vertical one.
    assert any(dark(x, y) for x in range(px(2), px(5)) for y in range(trim - 1, trim + 2))
    assert any(dark(x, y) for y in range(px(2), px(5)) for x in range(trim - 1, trim + 2))
    # Nothing within 4.5 mm of the trim (the bleed is 3 mm; the marks start at 5 mm), and nothing
    # on the page's own white corner either.
    near = [(x, y) for x in range(px(6.5), corner.width) for y in range(px(6.5), corner.height) if dark(x, y)]
    assert near == []


def test_no_marks_keeps_the_sheet_at_the_bleed(built, tmp_path):
    settings = press_settings(document_id=IDENTIFIER, marks="none")
    press = make_print_pdf(built["book"], settings, built["photos"])
    pdf = open_pdf(press)
    for page in pdf.pages:
        assert [float(v) for v in page.obj.MediaBox] == [float(v) for v in page.obj.BleedBox]
    assert not any("/Separation" in str(v) for page in pdf.pages for v in
                   page.obj.Resources.get("/ColorSpace", pikepdf.Dictionary()).values())


def test_the_marks_print_on_every_plate(built):
    pdf = open_pdf(built["press"])
    page = pdf.pages[0]
    spaces = [v for v in page.obj.Resources.ColorSpace.values()
              if isinstance(v, pikepdf.Array) and v[0] == "/Separation"]
    assert spaces and spaces[0][1] == "/All"
    ops = [(list(operands), str(op)) for operands, op in pikepdf.parse_content_stream(page)]
    widths = [float(operands[0]) for operands, op in ops if op == "w"]
    assert 0.25 in widths


def test_the_photo_prints_from_its_original(built):
    """The screen copy (2000 px) in the book; the original (2400 px) separated into CMYK in print."""
    def images_of(pdf):
        found = {x.objgen: x for page in pdf.pages for _, x in page.obj.Resources.get("/XObject", {}).items()
                 if x.get("/Subtype") == "/Image"}
        return list(found.values())
    book, press = open_pdf(built["book"]), open_pdf(built["press"])
    (book_image,) = images_of(book)
    copy = built["photos"][0].copy("screen")
    assert hashlib.sha256(book_image.read_raw_bytes()).hexdigest() == copy.sha256, \
        "WeasyPrint embeds the JPEG copy byte for byte"
    assert (int(book_image.Width), book_image.ColorSpace) == (2000, "/DeviceRGB")
    (print_image,) = images_of(press)
    assert (int(print_image.Width), int(print_image.Height)) == (2400, 1600)
    assert print_image.ColorSpace == "/DeviceCMYK" and print_image.Filter == "/DCTDecode"


def test_the_same_input_gives_the_same_file(built):
    again = make_print_pdf(built["book"], built["settings"], built["photos"])
    assert again == built["press"]


def test_kept_conversions_give_the_same_file_and_only_changed_streams_are_converted(built, tmp_path, monkeypatch):
    """Each content stream's conversion is kept under the stream as stored: the next file made from the
    same book converts nothing and is the same, byte for byte; a book with one page changed converts that
    page's stream alone."""
    import io

    from publish.cache import Cache, Kept
    from publish.render import press

    kept = Kept(Cache(tmp_path / "cache"))
    converted = []
    real = press._converted_operators
    monkeypatch.setattr(press, "_converted_operators", lambda data, colours: converted.append(data) or
                        real(data, colours))
    first = make_print_pdf(built["book"], built["settings"], built["photos"], kept=kept)
    assert first == built["press"], "kept or not, one way of writing a converted stream"
    streams = len(converted)
    assert streams > 2
    converted.clear()
    assert make_print_pdf(built["book"], built["settings"], built["photos"], kept=kept) == first
    assert converted == []
    with pikepdf.open(io.BytesIO(built["book"])) as book:
        book.pages[1].contents_add(book.make_stream(b"q 0.105882 0.105882 0.105882 rg 9 9 1 1 re f Q"))
        out = io.BytesIO()
        book.save(out)
    changed = open_pdf(make_print_pdf(out.getvalue(), built["settings"], built["photos"], kept=kept))
    assert len(converted) == 1 and converted[0].endswith(b"re f Q")
    drawn = [(str(i.operator), [float(v) for v in i.operands]) for i in pikepdf.parse_content_stream(changed.pages[1])
             if str(i.operator) in ("rg", "k")]
    assert drawn[-1] == ("k", pytest.approx(list(built["settings"].colours.for_rgb((27, 27, 27)).cmyk)))
    assert "rg" not in {op for op, _ in drawn}


def test_colours_are_converted_as_operators_never_inside_text(built):
    """A stream WeasyPrint writes (text as hex strings) is converted the quick way, one with literal strings
    or an inline image through the parser: either way each token colour's operator becomes its ink, and
    a string that reads like a colour stays as it is."""
    import io
    ink = " ".join(f"{v:.6f}" for v in (27 / 255,) * 3)  # --color-ink, #1b1b1b
    streams = {
        "hex": f"q {ink} rg\nBT /F1 9 Tf <0a1b> Tj ET\n[3 1] 0 d {ink} RG 0 0 m 9 9 l S Q",
        "literal": f"q {ink} rg BT /F1 9 Tf ({ink} rg) Tj ET\n{ink} RG 0 0 m 9 9 l S Q",
        "inline image": f"q {ink} rg\nBI /W 1 /H 1 /CS /G /BPC 8 ID \x80 EI Q",
    }
    book = pikepdf.new()
    for content in streams.values():
        page = book.add_blank_page(page_size=(100, 100))
        page.obj.TrimBox = pikepdf.Array([5, 5, 95, 95])
        page.obj.Contents = book.make_stream(content.encode("latin-1"))
    out = io.BytesIO()
    book.save(out)
    press = open_pdf(make_print_pdf(out.getvalue(), built["settings"]))
    black = built["settings"].colours.for_rgb((27, 27, 27)).cmyk
    for name, page in zip(streams, press.pages):
        drawn = [(str(i.operator), list(i.operands)) for i in pikepdf.parse_content_stream(page)]
        colours = [(op, [float(v) for v in operands]) for op, operands in drawn if op in ("rg", "RG", "k", "K")]
        assert colours and all(op in ("k", "K") and operands == pytest.approx(list(black)) for op, operands in colours), name
        if name == "literal":
            assert [bytes(o[0]) for op, o in drawn if op == "Tj"] == [f"{ink} rg".encode()]


def test_a_pdf_without_trim_box_is_refused(built):
    pdf = open_pdf(built["book"])
    for page in pdf.pages:
        del page.obj["/TrimBox"]
    import io
    out = io.BytesIO()
    pdf.save(out)
    with pytest.raises(PressError, match="page 1 of the book PDF has no TrimBox"):
        make_print_pdf(out.getvalue(), built["settings"])


def test_a_missing_profile_says_how_to_build_it(tmp_path):
    with pytest.raises(PressError, match=r"run `make`.*scripts/make-press-profile.*PUBLISH_PRESS_PROFILE"):
        press_settings(profile=tmp_path / "none.icc")


def test_an_rgb_profile_is_not_a_press_profile(tmp_path):
    from PIL import ImageCms
    path = tmp_path / "srgb.icc"
    path.write_bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    with pytest.raises(PressError, match="not a CMYK output"):
        press_settings(profile=path)


def test_a_printers_own_profile_is_a_custom_condition(built, tmp_path):
    path = tmp_path / "printer.icc"
    path.write_bytes(press_profile().data)
    settings = press_settings(profile=path, document_id=IDENTIFIER)
    pdf = open_pdf(make_print_pdf(built["book"], settings))
    (intent,) = pdf.Root.OutputIntents
    assert str(intent.OutputConditionIdentifier) == "Custom"
    assert str(intent.OutputCondition) == press_profile().description
    assert "/RegistryName" not in intent


def test_the_xmp_packet_is_well_formed_and_agrees_with_info(built):
    import xml.etree.ElementTree as ElementTree
    pdf = open_pdf(built["press"])
    xmp = pdf.Root.Metadata.read_bytes().decode()
    body = xmp[xmp.index("<x:xmpmeta"):xmp.index("</x:xmpmeta>") + len("</x:xmpmeta>")]
    tree = ElementTree.fromstring(body)
    ns = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "dc": "http://purl.org/dc/elements/1.1/",
          "pdf": "http://ns.adobe.com/pdf/1.3/", "xmp": "http://ns.adobe.com/xap/1.0/"}
    description = tree.find("rdf:RDF/rdf:Description", ns)
    assert description.find("pdf:Producer", ns).text == str(pdf.docinfo.Producer)
    assert description.find("xmp:CreatorTool", ns).text == str(pdf.docinfo.Creator)
    assert description.find("dc:creator/rdf:Seq/rdf:li", ns).text == str(pdf.docinfo.Author)
