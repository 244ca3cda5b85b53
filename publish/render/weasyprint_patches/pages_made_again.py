"""A page just made may be looked at, the box tree changed, and pages made again from an earlier one.

WeasyPrint 70.0 makes a document's pages one after another
(`layout.page.make_all_pages`) and can make one again (`remake_page`) from
what it kept of that page's start: where the content resumes, the page's
side, its counters. It does so by itself only when a page-based counter
changes. A paginator that makes, page by page, the decisions a book designer
makes — a figure that did not fit moved past the text after it instead of
leaving the page's foot white, a photo sized to the room left in its box
(CSS Page Floats, which WeasyPrint does not have) — needs the same at its
own request:

    with applied(page_editor=editor):
        document = html.render()

`editor(index, pages, root_box)` is called after each page is made, with
the pages made so far; it may change the box tree (`root_box`, which is not
laid out itself) and return the index of an earlier page (or this one) to
make again from, or None. Every page from there to this one is made again;
a later page is too unless it begins where it began before (WeasyPrint's own
test), or the editor returns `(from, through)`: then only pages up to
`through` are made again whatever their start (it changed only those). What
the layout context carries from one page to the next — the notes still to
place, the notes carried over, the floats broken across a page, the notes
drawn — is kept before each page and put back when pages are made again, so
a page made again starts as it did the first time. Once the last page is
made, the editor's `finish(pages)`, if it has one, is called with them all: a
change that moves nothing from one page to another (space shared out on a
page) is made there, on the laid-out pages, before WeasyPrint reads their
anchors and links.

The editor may also have `advancing(index, pages, root_box, start)`, called
each time the pagination moves on from page `index` (the editor asked for
nothing more there), with `start`, what that page was made from (a
`PageStart`: where the content resumed, the page's side and counters, the
notes still to place). If it returns True, no more pages are made: the
pages made so far, this one included, are the document's (after `finish`).
A caller that knows the pages that would follow — because it made them
before, from the same state — stops there.

And it may have `beginning(root_box, notes)`, called before the first page
is made (`notes`: the document's footnote boxes), returning None or
`(index, start)`: the pagination then begins at page `index`, made from
`start` (a PageStart it kept from an earlier pagination of the same content
up to there, the notes still to place among `notes`); the editor is not
shown that page (it was, when the state was kept) unless it is made again,
and the document's pages are those from `index` on. A caller that knows the
pages before — it made them before — begins where its content changed.

Without an editor nothing is installed. Upstream: Kozea/WeasyPrint#259 (page
floats) and #1098 (figures floating to the next page, LaTeX-style) ask for
what this makes possible; the hook is how a tool can provide it today.
"""
from __future__ import annotations

import copy
from typing import NamedTuple

from weasyprint import layout as layout_module
from weasyprint.layout.page import remake_page

from .patching import replace

UPSTREAM = "https://github.com/Kozea/WeasyPrint/issues/1098"
SETTINGS = ("page_editor",)
MAX_PAGES_MADE = 20  # × the page count: an editor that keeps asking is a bug, not a layout


class PageStart(NamedTuple):
    """What a page was made from: WeasyPrint's record of the page's start (`context.page_maker[index]`)
    and what the layout context carried into it."""
    resume_at: dict | None  # where in the box tree the page's content begins (None: at the start)
    next_page: dict  # the break that led to it and the page name asked for
    right_page: bool
    page_state: tuple  # quote depth, page counters, counter scopes, page groups
    notes_waiting: tuple  # footnote boxes not yet placed
    notes_reported: tuple  # notes carried over from the page before
    broken_out_of_flow: tuple  # floats and positioned boxes going on from the page before
    first_page_sizes: tuple = (None, None)  # the first page's box and area (what viewport units resolve to)


def _context_state(context) -> tuple:
    """What the making of one page changes in the layout context, as it is now."""
    return (list(context.footnotes), list(context.reported_footnotes), list(context.current_page_footnotes),
            dict(context.broken_out_of_flow), len(context.rendered_notes))


def _restore(context, state: tuple) -> None:
    footnotes, reported, current, broken, rendered = state
    context.footnotes[:] = footnotes
    context.reported_footnotes = list(reported)
    context.current_page_footnotes = list(current)
    context.broken_out_of_flow = dict(broken)
    del context.rendered_notes[rendered:]


def _make_all_pages(editor):
    def make_all_pages(context, root_box, html, pages):
        """WeasyPrint's make_all_pages (page.py), with `editor` looking at each page as it is made."""
        made: list = []
        states: dict[int, tuple] = {}  # page index → the context's state before the page was last made
        after: dict[int, tuple] = {}  # … and after
        earlier: dict[int, object] = {}  # the pages made before the editor last asked, by index …
        earlier_after: dict[int, tuple] = {}  # … and the states they left
        beginning = getattr(editor, "beginning", None)
        begun = beginning(root_box, tuple(context.footnotes)) if beginning is not None else None
        first = 0
        if begun is not None:
            first, start = begun
            _begin(context, first, start)
        index = first
        made[:] = [None] * first  # the pages before the first one made are the caller's
        shown = first == 0  # the first page made is shown to the editor (but a page begun from a kept state)
        remade_up_to = -1  # pages up to here are made again whatever their start: the box tree changed
        reported_footnotes = None
        context.rendered_notes = []
        budget = MAX_PAGES_MADE * max(len(pages), 8)
        advancing = getattr(editor, "advancing", None)
        while True:
            budget -= 1
            if budget < 0:
                raise RuntimeError("the page editor kept asking for pages to be made again")
            states[index] = _context_state(context)
            remake_state = context.page_maker[index][-1]
            unchanged = not (remake_state['content_changed'] or remake_state['pages_wanted'])
            if index > remade_up_to and index in earlier and index in earlier_after and unchanged:
                # after the pages the editor changed, one that begins where it began is the same page
                page = earlier[index]
                resume_at = context.page_maker[index + 1][0]
                _restore(context, earlier_after[index])
                reported_footnotes = context.reported_footnotes
            elif len(pages) == 0 or index <= remade_up_to or index >= len(pages) or not unchanged:
                remake_state['content_changed'] = False
                remake_state['pages_wanted'] = False
                remake_state['anchors'] = []
                remake_state['content_lookups'] = []
                page, resume_at = remake_page(index, context, root_box, html)
                reported_footnotes = context.reported_footnotes
            else:
                page = pages[index]
                resume_at = context.page_maker[index + 1][0]
                reported_footnotes = None
            del made[index:]
            made.append(page)
            after[index] = _context_state(context)
            asked = editor(index, made, root_box) if shown or index != first else None
            shown = True
            if asked is not None:
                again, through = asked if isinstance(asked, tuple) else (asked, index)
                if not first <= again <= through <= index:
                    raise ValueError(f"the page editor asked for pages {again}–{through} again, after page {index}")
                earlier = dict(enumerate(made))
                earlier_after = dict(after)
                _restore(context, states[again])
                remade_up_to = max(remade_up_to, through)
                index = again
                continue
            index += 1
            last = resume_at is None and not reported_footnotes
            stop = not last and advancing is not None and advancing(
                index - 1, made, root_box, _page_start(context, index - 1, states[index - 1]))
            if last or stop:
                context.page_maker = context.page_maker[:index + 1]
                if stop:  # the pages after are not to be made: WeasyPrint must not loop to make them
                    context.page_maker[index][-1].update(content_changed=False, pages_wanted=False)
                context.broken_out_of_flow.clear()
                context.reported_footnotes.clear()
                finish = getattr(editor, "finish", None)
                if finish is not None:
                    finish(made)
                return iter(made[first:])
    return make_all_pages


def _begin(context, index: int, start: PageStart) -> None:
    """The layout context as it was when page `index` was about to be made from `start`."""
    def entry(resume_at, next_page, right_page):
        return (resume_at, next_page, right_page, copy.deepcopy(start.page_state),
                {"content_changed": False, "pages_wanted": False, "anchors": [], "content_lookups": []})
    # The pages before have no record: WeasyPrint reads theirs only for page-based counters' targets.
    context.page_maker = [entry(None, {"break": "any", "page": None}, start.right_page) for _ in range(index)]
    context.page_maker.append(entry(start.resume_at, start.next_page, start.right_page))
    context.footnotes[:] = list(start.notes_waiting)
    context.reported_footnotes = []
    context.broken_out_of_flow = {}
    box, area = start.first_page_sizes
    context.style_for.initial_page_sizes.update(box=box, area=area)


def _page_start(context, index: int, state: tuple) -> PageStart:
    resume_at, next_page, right_page, page_state, _ = context.page_maker[index]
    waiting, reported, _, broken, _ = state
    sizes = context.style_for.initial_page_sizes
    return PageStart(resume_at, next_page, right_page, page_state, tuple(waiting), tuple(reported),
                     tuple(broken), (sizes["box"], sizes["area"]))


def install(page_editor=None):
    if page_editor is None:
        return lambda: None
    # layout/__init__.py imported make_all_pages by name; layout_document looks it up there.
    return replace(layout_module, "make_all_pages", _make_all_pages(page_editor))
