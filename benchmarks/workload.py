"""What the benchmarks run: a snapshot of the code, a copy of the report, its edits, the report repeated.

Everything is made in a temporary folder; content/ is only read. The code is
run from a snapshot taken at the start, so an edit in the working tree during
a run changes nothing in it.
"""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import yaml

REPORT_ID = "gsi-report-2024"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONTENT = PROJECT_ROOT / "content"
CODE = ("publish", "templates", "styles", "build.py")

# One-paragraph edits: a short chapter and the longest one (34 of the report's
# printed pages, 44 of its 53 notes), near its start and near its end. Each adds
# one sentence inside the first (or the last) body paragraph that contains `after`.
EDITS = {
    "short chapter (01-foreword.md)": ("01-foreword.md", "。", "各方对此普遍表示赞赏。"),
    "longest chapter (02-2-cooperation.md)": ("02-2-cooperation.md", "。", "合作成果惠及地区各国人民。"),
    "longest chapter near its end (02-2-cooperation.md)": ("02-2-cooperation.md", "。", "合作成果惠及地区各国人民。",
                                                          "last"),
}
WATCH_EDIT_SENTENCE = "这一进展得到国际社会广泛认可。"
REPEATS = 3
"""Each edit is made this many times, a sentence of these each time (measured: the median)."""
MORE_SENTENCES = ("各方普遍欢迎这一做法。", "有关成果正在逐步显现。")


def snapshot_code(target: Path) -> Path:
    """The code as it is now, to run from: `python build.py` there, or an import after this, uses this copy."""
    target.mkdir(parents=True)
    for name in CODE:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    sys.path.insert(0, str(target))
    return target


def copy_report(content: Path, target: Path) -> Path:
    shutil.copytree(content / REPORT_ID, target)
    return target


def spine(root: Path) -> list[str]:
    return list(yaml.safe_load((root / "publication.yaml").read_text(encoding="utf-8"))["spine"])


def edit_paragraph(root: Path, name: str, after: str, sentence: str, which: str = "first") -> None:
    """Add `sentence` after the first `after` in the first (or the last) body paragraph holding one (past the
    front matter)."""
    path = root / name
    lines = path.read_text(encoding="utf-8").split("\n")
    body = lines.index("---", 1) + 1
    for index in (range(body, len(lines)) if which == "first" else range(len(lines) - 1, body - 1, -1)):
        line = lines[index]
        if is_paragraph_line(line) and after in line:
            at = line.index(after) + len(after)
            lines[index] = line[:at] + sentence + line[at:]
            path.write_text("\n".join(lines), encoding="utf-8")
            return
    raise ValueError(f"no paragraph with {after!r} in {path}")


def is_paragraph_line(line: str) -> bool:
    """Body text: not a heading, block fence, block field (`caption: …`), note definition, table or quote line."""
    return bool(line) and not line[0].isspace() and line[0] not in ":#[|>-" \
        and not re.match(r"[A-Za-z_]+:", line)


def repeated_report(content: Path, target: Path, times: int) -> Path:
    """The report with its spine repeated `times` times; each repeat's ids suffixed so they stay unique."""
    root = copy_report(content, target)
    entries = spine(root)
    added = []
    for k in range(2, times + 1):
        for name in entries:
            copy = f"r{k}-{name}"
            (root / copy).write_text(unique_ids((root / name).read_text(encoding="utf-8"), f"-r{k}"),
                                     encoding="utf-8")
            added.append(copy)
    config = root / "publication.yaml"
    lines = config.read_text(encoding="utf-8").splitlines()
    last = max(i for i, line in enumerate(lines) if re.fullmatch(rf"\s*-\s*{re.escape(entries[-1])}\s*", line))
    indent = lines[last][:len(lines[last]) - len(lines[last].lstrip())]
    lines[last + 1:last + 1] = [f"{indent}- {name}" for name in added]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def unique_ids(text: str, suffix: str) -> str:
    """Every id written in a chapter, with `suffix`: the front matter's `id:`, headings' `{#…}`,
    notes' `[^…]`, links' `(#…)`."""
    text = re.sub(r"(?m)^id:\s*(\S+)\s*$", lambda mm: f"id: {mm.group(1)}{suffix}", text, count=1)
    text = re.sub(r"\{#([^}\s]+)\}", lambda mm: f"{{#{mm.group(1)}{suffix}}}", text)
    text = re.sub(r"\[\^([^\]\s]+)\]", lambda mm: f"[^{mm.group(1)}{suffix}]", text)
    return re.sub(r"\]\(#([^)\s]+)\)", lambda mm: f"](#{mm.group(1)}{suffix})", text)


# -- the bare render: the same book as one HTML document, for WeasyPrint alone ------------------------

BARE_FURNITURE = """<style>
/* The running heads and folios as one WeasyPrint document would have them (margin boxes), so that the
   bare render does all the work the build does. */
html { string-set: book-title "%(title)s"; }
.contents__entry a::after { content: leader(". ") target-counter(attr(href), page); }
.opener__title, .doc-head__title { string-set: chapter content(); }
@page :left { @top-left { content: string(book-title); } @bottom-left { content: counter(page); } }
@page :right { @top-right { content: string(chapter); } @bottom-right { content: counter(page); } }
@page cover, plain, opener { @top-left { content: none; } @top-right { content: none; }
  @bottom-left { content: none; } @bottom-right { content: none; } }
@page :blank { @top-left { content: none; } @top-right { content: none; }
  @bottom-left { content: none; } @bottom-right { content: none; } }
@page front:left { @top-left { content: none; } @bottom-left { content: counter(page, lower-roman); } }
@page front:right { @top-right { content: none; } @bottom-right { content: counter(page, lower-roman); } }
</style>"""


def bare_book_html(root: Path, output: Path) -> str:
    """The book's parts in one document, its contents numbered by WeasyPrint (target-counter).

    The floor a WeasyPrint pipeline cannot go under: one layout of the whole
    book and one PDF, with nothing assembled, cached or decided.
    """
    from publish.cache import Cache
    from publish.errors import ProblemLog
    from publish.load import load_publication
    from publish.pipeline import cache_folder
    from publish.render import EDITIONS
    from publish.render.html import render_template
    from publish.render.pdf import PdfWriter
    from publish.render.pdf.layout import PdfContext
    pub = load_publication(root, ProblemLog())
    writer = PdfWriter(pub, Cache(cache_folder(pub.meta.id, output)))
    bodies, head = [], ""
    for number, part in enumerate(writer.parts):
        source = writer.part_unit(number).args[0]
        html = render_template("book/part.html", pub=source.pub, part=part,
                               edition=PdfContext(source.pub, EDITIONS["print"], linked_stylesheets=True))
        head = head or html[:html.index("<body")]
        bodies.append(html[html.index(">", html.index("<body")) + 1:html.index("</body>")])
    title = f"{pub.meta.title}{pub.meta.subtitle}"
    return (head.replace("</head>", BARE_FURNITURE % {"title": title} + "</head>")
            + f'<body class="layout-{pub.layout}">' + "".join(bodies) + "</body></html>")
