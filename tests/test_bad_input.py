"""Bad input: a clear message naming file and line, a non-zero exit, the last good output untouched."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from publish.errors import ContentError
from publish.load import load_publication

from .conftest import FIXTURES, copy_publication

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def pub(tmp_path) -> Path:
    return copy_publication(FIXTURES / "minimal", tmp_path / "minimal")


def problems_of(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_publication(root)
    return [str(p) for p in caught.value.problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def test_the_fixture_loads(pub):
    model = load_publication(pub)
    assert [d.id for d in model.documents] == ["chapter-one", "annex-one"]
    assert len(model.footnotes) == 2


def test_broken_yaml_in_publication_yaml(pub):
    edit(pub / "publication.yaml", "title: 测试小册子", "title: [测试小册子")
    [problem] = problems_of(pub)
    assert "publication.yaml:" in problem and "broken YAML" in problem


def test_unknown_key_names_its_line(pub):
    edit(pub / "publication.yaml", "trim: A5", "trim: A5\ncolour: blue")
    [problem] = problems_of(pub)
    assert "publication.yaml:14: error: unknown key `colour`" in problem


def test_missing_spine_file(pub):
    edit(pub / "publication.yaml", "  - annex.md", "  - annexe.md")
    [problem] = problems_of(pub)
    assert "publication.yaml:16:" in problem and "annexe.md" in problem and "does not exist" in problem


def test_footnote_call_without_definition_and_definition_never_called(pub):
    edit(pub / "chapter.md", "[^two]: 参见", "[^three]: 参见")
    found = problems_of(pub)
    assert any("chapter.md:20:" in p and "`[^two]` has no definition" in p for p in found)
    assert any("chapter.md:57:" in p and "`[^three]` is defined but never called" in p for p in found)


def test_unknown_block_and_unclosed_block(pub):
    edit(pub / "chapter.md", "::: box", "::: boxed")
    found = problems_of(pub)
    assert any("chapter.md:37: error: unknown block type `boxed`" in p for p in found)
    edit(pub / "chapter.md", "::: boxed", "::: box")
    path = pub / "chapter.md"
    path.write_text(path.read_text().replace(":::\n\n::: table", "\n::: table", 1))
    found = problems_of(pub)
    assert any("chapter.md:37:" in p and "never closed" in p for p in found)


def test_link_to_unknown_anchor(pub):
    edit(pub / "chapter.md", "(#overview)", "(#overvue)")
    [problem] = problems_of(pub)
    assert "chapter.md:20:" in problem and "#overvue" in problem


def test_all_problems_reported_at_once(pub):
    edit(pub / "chapter.md", "::: box", "::: boxed")
    edit(pub / "annex.md", "level: 1", "level: one")
    found = problems_of(pub)
    assert len(found) == 2


def test_build_exits_non_zero_and_keeps_the_last_good_output(pub, tmp_path):
    output = tmp_path / "output"
    command = [sys.executable, str(PROJECT / "build.py"), str(pub), "--edition", "web", "--output", str(output), "-q"]
    first = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT)
    assert first.returncode == 0, first.stderr
    page = output / "minimal" / "web" / "chapter.html"
    good = page.read_bytes()
    edit(pub / "chapter.md", "[^two]: 参见", "[^three]: 参见")
    second = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT)
    assert second.returncode == 1
    assert "chapter.md:20:" in second.stderr and "Traceback" not in second.stderr
    assert page.read_bytes() == good


def test_missing_image_is_a_warning_and_a_placeholder(pub, tmp_path):
    output = tmp_path / "output"
    command = [sys.executable, str(PROJECT / "build.py"), str(pub), "--edition", "web", "--output", str(output)]
    run = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT)
    assert run.returncode == 0
    assert "chapter.md:26: warning: image `images/absent.jpg` is missing" in run.stderr
    html = (output / "minimal" / "web" / "chapter.html").read_text()
    assert "figure--placeholder" in html and '<span class="figure__missing">图片待补</span>' in html
    assert "absent.jpg" not in html  # readers are not shown file paths; the warning above names it
