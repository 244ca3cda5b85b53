"""Generated Markdown and YAML thrown at the loader: a clean model or a clean error, never a crash or a hang.

A clean model also means clean markup: whatever the text, the loader's inline
nodes are only those its policy allows, with allowed link targets, and the HTML
the editions make of them holds only the allowed elements (publish/load/inline.py,
templates/blocks.html).
"""
from __future__ import annotations

import dataclasses
import html
import re
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from publish import model as m
from publish.errors import ContentError, ProblemLog
from publish.load import load_publication
from publish.load.markdown_source import BLOCK_TYPES
from publish.load.schema import FRONT_MATTER_FIELDS, PUBLICATION_FIELDS

HANG_SECONDS = 60
"""Far above the few milliseconds a load takes: only a hang reaches it."""

SETTINGS = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow,
                                                                     HealthCheck.data_too_large])

CONFIG = {"id": "probe", "title": "测试", "date": "2024-07",
          "identifier": "urn:uuid:00000000-0000-4000-8000-000000000000", "spine": ["chapter.md"]}
CHAPTER = "---\ntitle: 第一章\nid: one\n---\n\n正文。\n"

# -- strategies ------------------------------------------------------------------

MARKDOWN_PIECES = ["*", "**", "_", "`", "[", "]", "(", ")", "<", ">", "&", "\\", "!", "#", ":", "^", "|", "-",
                   "{#", "}", '"', "'", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "&nbsp;",
                   "&#0;", "&#x3C;", "<!--", "-->", "[^n1]", "[^n2]", "[x](#overview)", "[x](javascript:alert(1))",
                   "[x](JAVA\tSCRIPT:x)", "[x](data:text/html,x)", "[x](https://example.org/)", "<https://a.b/>",
                   "<javascript://x>", "[x](<file:///etc/passwd>)", "——", "。", "全球安全倡议", " ", "\t",
                   "1. ", "> ", "    ", "* * *", "===", "[id]: http://a.b/", "  \n"]
text = st.lists(st.one_of(st.sampled_from(MARKDOWN_PIECES), st.text(max_size=6)), max_size=12).map("".join)
printable = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufdd0\ufdd1\ufdd2"),
                    max_size=6)
inline_text = st.lists(st.one_of(st.sampled_from([p for p in MARKDOWN_PIECES if "[^" not in p]), printable),
                       max_size=16).map("".join)
"""Text without footnote calls or control characters: it mostly loads, so the markup it makes is checked."""
anchor = st.one_of(st.just(""), st.sampled_from([" {#overview}", " {#one}", " {#a:b}", " {#}", "{#x}"]),
                   text.map(lambda t: " {#" + t + "}"))
markdown_line = st.one_of(
    text,
    st.just(""),
    st.builds(lambda n, t, a: "#" * n + " " + t + a, st.integers(1, 7), text, anchor),
    st.builds(lambda kind, t: f"::: {kind} {t}", st.sampled_from(BLOCK_TYPES + ("boxed", "")), text),
    st.sampled_from([":::", "::: ", ":::x", "<!-- a -->", "<!--", "---"]),
    st.builds(lambda i, t: f"[^{i}]: {t}", st.sampled_from(["n1", "n2", "a:b", "n1"]), text),
    st.builds(lambda cells: "| " + " | ".join(cells) + " |", st.lists(text, min_size=1, max_size=4)),
    st.sampled_from(["|---|---|", "|---|", "- 列表项", "* 项"]),
    st.builds(lambda key, value: f"{key}: {value}", st.sampled_from(["image", "caption", "ratio", "alt", "x"]),
              st.one_of(text, st.sampled_from(["images/a.png", "../secret.png", "/etc/passwd", "http://a/b.png",
                                               "3:2", "0:0", "[a, b]", "{a: 1}", "*x"]))),
)
body = st.lists(markdown_line, max_size=40).map("\n".join)

scalar = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**30), st.floats(allow_nan=True), text,
                   st.sampled_from(["A4", "3mm", "zh-CN", "report", "chapter", "01", "2024-07-01"]))
value = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(text, inner, max_size=4)), max_leaves=12)


def mapping_of(fields) -> st.SearchStrategy[str]:
    """YAML text: a mapping of known and unknown keys with values of any type, or any text at all."""
    keys = st.one_of(st.sampled_from(list(fields)), text)
    mapping = st.dictionaries(keys, value, max_size=8).map(
        lambda d: yaml.safe_dump(d, allow_unicode=True, sort_keys=False))
    return st.one_of(mapping, text, st.lists(markdown_line, max_size=6).map("\n".join))


front_matter = mapping_of(FRONT_MATTER_FIELDS)
chapter_file = st.one_of(
    st.builds(lambda f, b: f"---\n{f}\n---\n{b}\n", front_matter, body),
    st.builds(lambda b: f"---\ntitle: 第一章\nid: one\n---\n\n## 概述 {{#overview}}\n\n{b}\n", body),
    st.text(max_size=200),
)
config_changes = st.dictionaries(st.one_of(st.sampled_from(list(PUBLICATION_FIELDS)), text), value, max_size=5)


# -- the property ------------------------------------------------------------------

class Hang(Exception):
    pass


@contextmanager
def no_hang(seconds: int = HANG_SECONDS):
    """Turn a hang into a test failure instead of a stuck test run."""
    def alarm(signum, frame):
        raise Hang(f"the loader ran for more than {seconds} s")
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def load_cleanly(files: dict[str, str | bytes]) -> m.Publication | None:
    """Load a publication made of `files`; a model or None after a clean ContentError."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "probe"
        root.mkdir()
        for name, data in files.items():
            (root / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
        log = ProblemLog()
        with no_hang():
            try:
                pub = load_publication(root, log)
                event("a model")
                return pub
            except ContentError as exc:
                event("a content error")
                assert exc.problems, "a ContentError lists its problems"
                for problem in log.items:
                    assert problem.message and problem.path.is_relative_to(root), problem
                    assert problem.line is None or problem.line >= 1, problem
                    assert "Traceback" not in str(problem)
                return None


TAG = re.compile(r"<(/?)([^\s/>]*)([^>]*)>")
ATTRIBUTE = re.compile(r'\s*([^\s=]+)="([^"]*)"')
ALLOWED_HREF = re.compile(r"#|https?:|mailto:|[a-z0-9-]+\.html(#|$)", re.I)  # a page of the web edition too


INLINE_KINDS = (m.Text, m.Emphasis, m.Strong, m.Code, m.Link, m.LineBreak, m.FootnoteCall)


def inline_sequences(value):
    """Every tuple of inline nodes anywhere in a model value."""
    if isinstance(value, tuple) and value and all(isinstance(v, INLINE_KINDS) for v in value):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from inline_sequences(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, INLINE_KINDS):
        for f in dataclasses.fields(value):
            yield from inline_sequences(getattr(value, f.name))


def web_markup(nodes, pub) -> str:
    """The HTML the web edition makes of inline nodes (a note call's markup is the template's own: left out)."""
    nodes = tuple(n for n in nodes if not isinstance(n, m.FootnoteCall))
    from publish.render import EDITIONS
    from publish.render.html import environment
    from publish.render.web import LinkedContext
    macros = environment().get_template("blocks.html").module
    return str(macros.inlines(nodes, LinkedContext(pub, EDITIONS["web"])))


def assert_clean_markup(run: str) -> None:
    assert "<!" not in run and "<?" not in run, run
    for closing, tag, attributes in TAG.findall(run):
        assert tag in ("a", "em", "strong", "code", "span", "br", "sup"), run
        names = dict(ATTRIBUTE.findall(attributes.rstrip(" /")))
        assert set(names) <= ({"href", "title"} if tag == "a" else set()), run
        if tag == "a" and not closing:
            assert ALLOWED_HREF.match(html.unescape(names["href"])), run


def assert_clean_model(pub: m.Publication | None) -> None:
    if pub is None:
        return
    for nodes in inline_sequences((pub.documents, pub.footnotes, pub.figures, pub.meta.back_cover)):
        for node in m.walk_inlines(nodes):
            assert isinstance(node, INLINE_KINDS), node
            if isinstance(node, m.Link):
                assert ALLOWED_HREF.match(node.url), node
        assert_clean_markup(web_markup(nodes, pub))


@settings(max_examples=300, **SETTINGS)
@given(chapter=chapter_file, annex=chapter_file)
def test_generated_chapters_give_a_clean_model_or_a_clean_error(chapter, annex):
    config = yaml.safe_dump({**CONFIG, "spine": ["chapter.md", "annex.md"]}, allow_unicode=True)
    assert_clean_model(load_cleanly({"publication.yaml": config, "chapter.md": chapter, "annex.md": annex}))


@settings(max_examples=200, **SETTINGS)
@given(changes=config_changes, raw=st.one_of(st.none(), mapping_of(PUBLICATION_FIELDS)))
def test_generated_configuration_gives_a_clean_model_or_a_clean_error(changes, raw):
    config = raw if raw is not None else yaml.safe_dump({**CONFIG, **changes}, allow_unicode=True)
    assert_clean_model(load_cleanly({"publication.yaml": config, "chapter.md": CHAPTER}))


@settings(max_examples=100, **SETTINGS)
@given(config=st.binary(max_size=300), chapter=st.binary(max_size=300))
def test_any_bytes_give_a_clean_error(config, chapter):
    assert_clean_model(load_cleanly({"publication.yaml": config, "chapter.md": chapter}))


@settings(max_examples=200, **SETTINGS)
@given(paragraph=inline_text, note=inline_text)
def test_any_inline_text_in_a_valid_chapter_gives_clean_markup(paragraph, note):
    chapter = CHAPTER + f"\n## 概述 {{#overview}}\n\n{paragraph}[^n1]\n\n[^n1]: 注{note}\n"
    assert_clean_model(load_cleanly({"publication.yaml": yaml.safe_dump(CONFIG, allow_unicode=True),
                                     "chapter.md": chapter}))
