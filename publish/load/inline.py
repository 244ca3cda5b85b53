"""Inline Markdown of one paragraph → inline nodes of the model (text, emphasis, links, note calls, …).

What content may put into an edition's markup (the README's "Errors and
safety" and docs/content-format.md say the same):

- Raw HTML is not part of the format: python-markdown's HTML patterns are
  switched off, so `<script>` or `<img onerror=…>` written in a chapter reaches
  the editions as text, never as markup.
- Only inline Markdown is read here (emphasis, strong, code, links,
  autolinks); the blocks were parsed before, so a paragraph starting with `1.`
  or `>` stays a paragraph.
- A web address written bare in the text (`https://…`, `http://…` or `www.…`,
  as the report's notes print them) is a link too, its text as written.
- A link may go to `#anchor`, `http:`, `https:` or `mailto:`. Any other target
  (`javascript:`, `data:`, `file:`, a relative path) loses its link, keeps its
  text, and is reported with the file and line.
- What comes out holds only the elements of ALLOWED_ELEMENTS with their
  allowed attributes, turned into model nodes (`model.Text`, `Emphasis`,
  `Strong`, `Code`, `Link`, `LineBreak`); character references are turned
  into the characters they name. Nothing downstream parses HTML: each
  edition's templates make their own markup from the nodes.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.entities import html5 as html5_entities
from xml.etree import ElementTree

import markdown
from markdown import util
from markdown.inlinepatterns import LINK_RE, InlineProcessor, LinkInlineProcessor
from markdown.treeprocessors import Treeprocessor
from .. import model as m
from .markdown_source import join_paragraph_lines
from .text_file import LINE_BREAK_MARK, NOTE_CALL_CLOSE, NOTE_CALL_OPEN

NOTE_CALL = re.compile(r"\[\^([^\[\]\s]+)\]")
CALL_MARK = re.compile(f"{NOTE_CALL_OPEN}([^{NOTE_CALL_CLOSE}]*){NOTE_CALL_CLOSE}")
MARK = re.compile(f"{NOTE_CALL_OPEN}([^{NOTE_CALL_CLOSE}]*){NOTE_CALL_CLOSE}|{LINE_BREAK_MARK}")

LINK_SCHEMES = ("http", "https", "mailto")
ALLOWED_ELEMENTS: dict[str, tuple[str, ...]] = {
    "em": (), "strong": (), "code": (), "a": ("href", "title"), "span": (),
}
"""Every element inline Markdown may produce, with the attributes it may carry."""

BLOCK_SYNTAX = ("empty", "indent", "code", "hashheader", "setextheader", "hr", "olist", "ulist", "quote", "reference")
"""python-markdown's block processors, all but `paragraph`."""

CHARACTER_REFERENCE = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{0,31});")
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
"""Characters XML cannot hold, and noncharacters."""
URL_IGNORED = re.compile(r"[\x00-\x20\x7f]")
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


@dataclass(frozen=True)
class NoteMark:
    """Where a footnote call `[^id]` was written; the loader replaces it by `model.FootnoteCall`."""
    id: str
    kind = "note_mark"


@dataclass
class InlineText:
    """One run of inline text, read."""
    nodes: tuple = ()  # model inline nodes, with NoteMark where a footnote is called
    anchors: list[str] = field(default_factory=list)  # targets of `[…](#anchor)` links
    refused_links: list[str] = field(default_factory=list)  # link targets removed by the policy


class BoundedLinkProcessor(LinkInlineProcessor):
    """`[text](target "title")`, read in time linear in the paragraph.

    python-markdown's own reader scans to the end of the paragraph for every
    `[` that is never closed (10,000 of them took 23 s, 40,000 would take
    minutes). Here the text in brackets may not hold brackets itself and the
    target is read by one regex, so each `[` costs only up to the next bracket.
    """

    TEXT_END = re.compile(r"[\[\]]")
    TARGET = re.compile(r"""\(\s*(<[^<>\n]*>|[^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*)"""
                        r"""(?:\s+("[^"]*"|'[^']*'))?\s*\)""")

    def getText(self, data: str, index: int):
        end = self.TEXT_END.search(data, index)
        if end is None or end.group() != "]":
            return "", index, False
        return data[index:end.start()], end.end(), True

    def getLink(self, data: str, index: int):
        match = self.TARGET.match(data, index)
        if match is None:
            return "", None, index, False
        href = match.group(1)
        if href.startswith("<"):
            href = href[1:-1]
        title = match.group(2)
        if title is not None:
            title = self.RE_TITLE_CLEAN.sub(" ", self.unescape(title[1:-1].strip()))
        return self.unescape(href).strip(), title, match.end(), True


BARE_URL = r"(?<![A-Za-z0-9/@.])((?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*[A-Za-z0-9\-_~/#=&%])"
"""A web address in running text, ASCII only, so it ends at the Chinese punctuation after it."""


class BareUrlProcessor(InlineProcessor):
    """`https://…` or `www.…` written without `<…>` becomes a link, its text unchanged."""

    def handleMatch(self, match, data):
        url = match.group(1)
        link = ElementTree.Element("a", {"href": url if "://" in url else "http://" + url})
        link.text = util.AtomicString(url)
        return link, match.start(0), match.end(0)


class MarkupPolicy(Treeprocessor):
    """Keeps only allowed elements, attributes and link targets; notes what it took out."""

    def run(self, root: ElementTree.Element) -> None:
        self.anchors: list[str] = []
        self.refused: list[str] = []
        for paragraph in root:
            for element in paragraph.iter():
                if element is not paragraph:
                    self.check(element)

    def check(self, element: ElementTree.Element) -> None:
        allowed = ALLOWED_ELEMENTS.get(element.tag)
        if allowed is None:
            neutralise(element)
            return
        for name in [n for n in element.attrib if n not in allowed]:
            del element.attrib[name]
        if element.tag != "a":
            return
        if any(NOTE_CALL_OPEN in value for value in element.attrib.values()):
            # A footnote call written inside a link's target would be cut out of its attribute.
            self.refused.append(CALL_MARK.sub(r"[^\1]", element.get("href", "")))
            neutralise(element)
            return
        kind, target = classify_link(element.get("href", ""))
        if kind == "anchor":
            self.anchors.append(target)
        elif kind == "refused":
            self.refused.append(target)
            neutralise(element)


def neutralise(element: ElementTree.Element) -> None:
    """The element's text and children stay; the element becomes a bare span."""
    element.tag = "span"
    element.attrib.clear()


def classify_link(href: str) -> tuple[str, str]:
    """("anchor", id), ("external", url) or ("refused", target as written).

    Browsers ignore tabs, newlines and control characters inside a URL and
    decode character references in attributes, so the scheme is read the
    same way (`java&#115;cript:` and `java\\tscript:` are `javascript:`).
    """
    decoded = html.unescape(href.replace(util.AMP_SUBSTITUTE, "&"))
    cleaned = URL_IGNORED.sub("", decoded)
    if cleaned.startswith("#") and len(cleaned) > 1:
        return "anchor", cleaned[1:]
    scheme = SCHEME.match(cleaned)
    if scheme and scheme.group(1).lower() in LINK_SCHEMES:
        return "external", decoded
    return "refused", decoded


def _inline_markdown() -> tuple[markdown.Markdown, MarkupPolicy]:
    md = markdown.Markdown(extensions=[], output_format="xhtml")
    # Raw HTML is refused: these are the two places python-markdown lets it through.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    # Images and reference-style links are not part of the format.
    for name in ("image_link", "image_reference", "short_image_ref", "reference", "short_reference"):
        md.inlinePatterns.deregister(name)
    # Character references are read by `characters_for_references`, on the text itself.
    md.inlinePatterns.deregister("entity")
    # The tree is read as it is (no serializing): no pretty-printing of it.
    md.treeprocessors.deregister("prettify")
    md.inlinePatterns.register(BoundedLinkProcessor(LINK_RE, md), "link", 160)
    md.inlinePatterns.register(BareUrlProcessor(BARE_URL, md), "bare_url", 100)
    # Blocks were parsed by the loader: here every text is one paragraph, whatever it starts with.
    for name in BLOCK_SYNTAX:
        md.parser.blockprocessors.deregister(name, strict=False)
    policy = MarkupPolicy(md)
    md.treeprocessors.register(policy, "markup_policy", 5)  # after inline Markdown, before unescaping
    return md, policy


_MD, _POLICY = _inline_markdown()


def render_inline(text: str) -> InlineText:
    """Read one paragraph (or caption, cell, note) of inline Markdown into nodes.

    Footnote calls become private marks before Markdown sees the text, so
    emphasis around a call still works; the marks become `NoteMark` nodes.
    """
    text = join_paragraph_lines(text.split("\n")) if "\n" in text else text
    marked = NOTE_CALL.sub(lambda m: f"{NOTE_CALL_OPEN}{m.group(1)}{NOTE_CALL_CLOSE}", text)
    _MD.reset()
    root = _MD.parser.parseDocument(marked.split("\n")).getroot()
    for processor in _MD.treeprocessors:
        root = processor.run(root) or root
    paragraph = root.find("p")
    nodes = tuple(_nodes(paragraph)) if paragraph is not None else ()
    return InlineText(_hoist_marks_out_of_links(nodes), list(_POLICY.anchors), list(_POLICY.refused))


def _nodes(element: ElementTree.Element):
    """The model nodes of an element's content: its text, its children and their tails."""
    yield from _text_nodes(element.text)
    for child in element:
        children = tuple(_nodes(child))
        if child.tag == "em":
            yield m.Emphasis(children)
        elif child.tag == "strong":
            yield m.Strong(children)
        elif child.tag == "code":
            yield m.Code(m.plain_text(children))
        elif child.tag == "a":
            yield m.Link(characters_for_references(child.get("href", "")), children,
                         characters_for_references(child.get("title", "")))
        else:  # a neutralised element (a refused link): its content stays
            yield from children
        yield from _text_nodes(child.tail)


def _text_nodes(text: str | None):
    """Text with its private marks turned into line breaks and note marks."""
    if not text:
        return
    pos = 0
    for match in MARK.finditer(text):
        if match.start() > pos:
            yield m.Text(characters_for_references(text[pos:match.start()]))
        if match.group() == LINE_BREAK_MARK:
            yield m.LineBreak()
        else:
            yield NoteMark(match.group(1))
        pos = match.end()
    if pos < len(text):
        yield m.Text(characters_for_references(text[pos:]))


def _hoist_marks_out_of_links(nodes: tuple) -> tuple:
    """A call written inside a link's text is set just after the link: a note mark cannot sit in a link."""
    out = []
    for node in nodes:
        if isinstance(node, m.Link):
            marks = [n for n in m.walk_inlines(node.children) if isinstance(n, NoteMark)]
            if marks:
                node = m.Link(node.url, without_note_marks(node.children), node.title)
            out.append(node)
            out.extend(marks)
        elif isinstance(node, (m.Emphasis, m.Strong)):
            out.append(type(node)(_hoist_marks_out_of_links(node.children)))
        else:
            out.append(node)
    return tuple(out)


def without_note_marks(nodes: tuple) -> tuple:
    """The nodes with every note mark taken out (where no call may be)."""
    return tuple(type(n)(without_note_marks(n.children)) if isinstance(n, (m.Emphasis, m.Strong)) else
                 m.Link(n.url, without_note_marks(n.children), n.title) if isinstance(n, m.Link) else n
                 for n in nodes if not isinstance(n, NoteMark))


def characters_for_references(text: str) -> str:
    """`&nbsp;` → the character itself, in text as written (a reference is not markup here).

    A reference that names no character, or one XML cannot hold, stays as
    written (`&foo;` shows as `&foo;` on the page).
    """
    text = text.replace(util.AMP_SUBSTITUTE, "&")

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name.startswith("#"):
            number = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
            # html.unescape turns a reference to no character into U+FFFD; it is shown as written instead.
            character = html.unescape(match.group(0)) if 0 < number < 0x110000 else ""
            if character == "\ufffd" and number != 0xFFFD:
                character = ""
        else:
            character = html5_entities.get(name + ";", "")
        if not character or NOT_IN_XML.search(character):
            return match.group(0)
        return character
    return CHARACTER_REFERENCE.sub(replace, text)
