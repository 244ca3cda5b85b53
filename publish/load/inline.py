"""Inline Markdown of one paragraph → escaped HTML runs, footnote calls and the links it holds.

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
- The HTML that comes out holds only the elements of ALLOWED_ELEMENTS with
  their allowed attributes, and character references are turned into the
  characters they name, so the EPUB's XHTML stays well-formed.
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
from markupsafe import Markup, escape

from .markdown_source import join_paragraph_lines
from .text_file import LINE_BREAK_MARK, NOTE_CALL_CLOSE, NOTE_CALL_OPEN

NOTE_CALL = re.compile(r"\[\^([^\[\]\s]+)\]")
CALL_MARK = re.compile(f"{NOTE_CALL_OPEN}([^{NOTE_CALL_CLOSE}]*){NOTE_CALL_CLOSE}")

LINK_SCHEMES = ("http", "https", "mailto")
ALLOWED_ELEMENTS: dict[str, tuple[str, ...]] = {
    "em": (), "strong": (), "code": (), "a": ("href", "title"), "span": (),
}
"""Every element inline Markdown may produce, with the attributes it may carry."""

BLOCK_SYNTAX = ("empty", "indent", "code", "hashheader", "setextheader", "hr", "olist", "ulist", "quote", "reference")
"""python-markdown's block processors, all but `paragraph`."""

CHARACTER_REFERENCE = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{0,31});")
XML_SAFE_REFERENCES = {"amp", "lt", "gt", "quot"}
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
"""Characters XML cannot hold, and noncharacters."""
URL_IGNORED = re.compile(r"[\x00-\x20\x7f]")
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


@dataclass
class InlineText:
    """One run of inline text, rendered."""
    runs: list = field(default_factory=list)  # Markup (HTML) and str (a footnote id), in order
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
    """Render one paragraph (or caption, cell, note) of inline Markdown.

    Footnote calls become private marks before Markdown sees the text, so
    emphasis around a call still works, then the HTML is cut at the marks.
    """
    text = join_paragraph_lines(text.split("\n")) if "\n" in text else text
    marked = NOTE_CALL.sub(lambda m: f"{NOTE_CALL_OPEN}{m.group(1)}{NOTE_CALL_CLOSE}", text)
    _MD.reset()
    out = _MD.convert(marked)
    if out.startswith("<p>") and out.endswith("</p>"):
        out = out[3:-4]
    out = characters_for_references(out).replace(LINE_BREAK_MARK, "<br />")
    result = InlineText(anchors=list(_POLICY.anchors), refused_links=list(_POLICY.refused))
    pos = 0
    for match in CALL_MARK.finditer(out):
        if match.start() > pos:
            result.runs.append(Markup(out[pos:match.start()]))
        result.runs.append(html.unescape(match.group(1)))  # a plain str is a footnote id; Markup is HTML
        pos = match.end()
    if pos < len(out):
        result.runs.append(Markup(out[pos:]))
    return result


def characters_for_references(text: str) -> str:
    """`&nbsp;` → the character itself (XHTML knows no named entities but XML's own).

    A reference that names no character, or one XML cannot hold, is shown as
    written (`&foo;` stays `&foo;` on the page).
    """
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name in XML_SAFE_REFERENCES:
            return match.group(0)
        if name.startswith("#"):
            number = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
            # html.unescape turns a reference to no character into U+FFFD; it is shown as written instead.
            character = html.unescape(match.group(0)) if 0 < number < 0x110000 else ""
            if character == "\ufffd" and number != 0xFFFD:
                character = ""
        else:
            character = html5_entities.get(name + ";", "")
        if not character or NOT_IN_XML.search(character):
            return "&amp;" + match.group(0)[1:]
        return str(escape(character))
    return CHARACTER_REFERENCE.sub(replace, text)
