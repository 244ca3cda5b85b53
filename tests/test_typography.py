"""Chinese typography of the PDFs, measured from the glyphs (see tests/typography.py)."""
from __future__ import annotations

import pytest
import weasyprint

from .typography import MM, Furniture, check

ARTICLE_TITLE = "致力构建普遍安全的人类命运共同体"
FURNITURE = {"gsi-report-2024": Furniture(),
             "gsi-article-2024": Furniture(ARTICLE_TITLE, frozenset({ARTICLE_TITLE}), back_cover=False,
                                           margin_zone=16 * MM)}

PDFS = [("gsi-report-2024", "print.pdf"), ("gsi-report-2024", "screen.pdf"),
        ("gsi-article-2024", "print.pdf"), ("gsi-article-2024", "screen.pdf")]


@pytest.mark.parametrize("pub_id,name", PDFS)
def test_typography_rules_hold_over_the_whole_pdf(built, pub_id, name):
    report = check(built / pub_id / name, FURNITURE[pub_id])
    print(f"{pub_id}/{name}: " + ", ".join(f"{k} {v}" for k, v in report.counts().items())
          + f", right-edge spread {report.right_edge_spread:.2f}pt")
    assert report.full_lines > (900 if pub_id == "gsi-report-2024" else 30)
    assert report.ragged == []
    assert report.bad_start == [] and report.bad_end == []
    assert report.folio_problems == [] and report.head_problems == []
    assert report.heading_at_foot == []
    assert report.widows == [] and report.orphans == []
    assert report.short_pages == []
    assert report.right_edge_spread <= 0.5
    # Punctuation pairs (。” ），…) compressed to 1.5 em: the first mark advances half an em
    # (plus the few hundredths that justification adds between characters).
    assert len(report.pair_advances) > (100 if pub_id == "gsi-report-2024" else 3)
    assert max(report.pair_advances) < 0.6


BAD_PAGE = """<html lang="zh-CN"><meta charset="utf-8"><style>
@page {{ size: A5; margin: 24mm 20mm; @bottom-center {{ content: counter(page) }} }}
body {{ font: 10.5pt/1.8 "Noto Serif CJK SC"; }}
p {{ text-indent: 2em; margin: 0; text-align: {align}; line-break: {line_break}; widows: 1; orphans: 1; }}
</style><body>{body}</body></html>"""


def render(tmp_path, align="left", paragraphs=30, forced_break=""):
    text = "中国坚定支持联合国在全球安全事务中发挥更大作用，推动各方从更深更广视角看待安全问题。" * 3
    body = "".join(f"<p>{text[: 40 + (i * 7) % 60]}。</p>" for i in range(paragraphs))
    body = body.replace("，", forced_break, 1) if forced_break else body
    path = tmp_path / "bad.pdf"
    weasyprint.HTML(string=BAD_PAGE.format(align=align, line_break="auto", body=body)).write_pdf(path)
    return path


def test_the_checker_sees_ragged_lines(tmp_path):
    """Unjustified Chinese (what WeasyPrint does unpatched for text-align: left) is reported."""
    report = check(render(tmp_path, align="left"))
    assert report.ragged


def test_the_checker_sees_forbidden_line_starts_and_ends(tmp_path):
    """A forced break puts a comma at a line start and an opening bracket at a line end."""
    report = check(render(tmp_path, align="justify", forced_break="（<br>，"))
    assert report.bad_start and report.bad_end


def test_the_checker_sees_widows(tmp_path):
    """`widows: 1` lets a paragraph's last line open a page alone."""
    report = check(render(tmp_path, align="justify"))
    assert report.widows


def test_the_checker_sees_misplaced_folios(tmp_path):
    """Folios centred instead of outside are reported."""
    report = check(render(tmp_path, align="justify"))
    assert report.folio_problems


HAN_GAP = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef“”] [\u3400-\u9fff\u3000-\u303f\uff00-\uffef“”]"


@pytest.mark.parametrize("pub_id", ["gsi-report-2024", "gsi-article-2024"])
def test_extracted_text_has_no_spaces_the_content_does_not_have(built, pub_id):
    """Justification moves glyphs apart; pdftotext must still read the words unbroken."""
    import re
    import subprocess

    from publish.paths import CONTENT
    content = "\n".join(p.read_text() for p in (CONTENT / pub_id).glob("*.md"))
    content += (CONTENT / pub_id / "publication.yaml").read_text()
    allowed = set(re.findall(HAN_GAP, content))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(built / pub_id / "screen.pdf"), "-"],
                          check=True, capture_output=True, text=True).stdout
    extra = [gap for gap in re.findall(HAN_GAP, text) if gap not in allowed]
    assert extra == [], extra[:20]
