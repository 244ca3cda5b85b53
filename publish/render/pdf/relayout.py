"""A part laid out again after an edit: only the pages the edit reaches are made, the others are taken up.

An edit changes a part's pages from the one it is on, so a layout of the
edited part begins where the last layout was when it had read nothing the
edit changed (`Trail.begin`: its state then is put back, the pages before are
the last layout's). And further on, its pages usually begin again where they
began before — the lines an edit added found room on a page that ended short,
before a heading, a box or a figure — and from such a page on, laying out
would make the last layout's pages again: the same content, laid out from the
same state by the same engine, with the page editor in the same state, makes
the same pages. So the pagination stops there (`Trail.left`) and the part is
the new pages between, with the last layout's before and after them, their
records and their drawing as they were.

What a layout leaves for the next, page by page (layout.PageRecord):

- `key`, taken as the pagination leaves the page for the last time (a page
  made again is left again): where the page's content begins in the box tree,
  its side, page name and counters (the page number left out, unless a style
  sheet shows it: then a page that moved by a page is another page), the notes
  still to place; the boxes still to lay out from there, by their elements'
  places in the document, in the box tree's order (a figure the editor moved
  is where it now is); and the page editor's state for what follows
  (PageEditor.state_ahead). No key where notes are carried over to the page, a
  float breaks across or the page begins inside a table (its columns are sized
  from all its rows). The key holds no text: a layout of edited content
  rejoins a page of the last one with the same key if no text changed from
  the first place still to lay out there (`Elements.changed`);
- `start`, the digest of the page's start alone: it decides the chunks the
  part is drawn in (`chunk_starts`), so that a layout that takes up the last
  one's pages draws the chunks a clean layout draws; a layout takes up pages
  by whole chunks.

And beside the part's output, in the trail the cache keeps with it
(cache.Unit.continues), the state the pagination left each chunk's first page
in — WeasyPrint's and the page editor's — and how far into the document the
pages made until then had read (`reach`: each page made, and the two boxes
after it, which decide where it breaks). A layout of edited content begins at
the latest such page whose reach is before the first change. The trail tells
how a layout went, not only what it made, so an incremental layout's trail
may differ from a clean one's; both are true of the pages, and the output,
which holds no text nor history, is the same.

Layouts are compared only within one frame (`Elements.frame`): the same
markup but for its text — the same tags, attributes, ids and classes, so that
a selector like `h2 + p` matches the same elements (other attributes' values
are content: an image's description, a note's mark) — and the same anchors in
the book's other parts; and the cache gives a unit its last output only from
the same engine. An edit that adds or removes an element, or a note given
another policy, changes the frame: the part is laid out whole. An incremental
build equals a clean one byte for byte, checked on edits of every kind
(tests/test_relayout.py).
"""
from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache

from ...paths import STYLES
from .page_editor import _own

NATURAL_CHUNK = 4
"""A page begins a chunk of the drawing when its start's digest is a multiple of this: chunks of about
this many pages, each drawn as one PDF; a layout begins and ends only at such a page."""
LONGEST_CHUNK = 12
"""… and after this many pages without one."""
FOLLOWING = 2
"""The boxes after a page's last one that may decide where it breaks."""


def _digest(*parts, size: int = 16) -> str:
    hasher = hashlib.blake2b(digest_size=size)
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode("utf-8")
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def _kind(text: str | None) -> int:
    """What a text node is to the box tree: nothing, white space (which makes no box between blocks), text."""
    return 0 if not text else 1 if text.isspace() else 2


class Elements:
    """The part's elements in document order: each one's place and the last place of its subtree; the
    digests of its own text and of its tail (`contents`, what `changed` compares); `frame`, the digest of
    the markup without the text; and whether the style sheets show page numbers (`_page_numbers_shown`)."""

    def __init__(self, root):
        self.place: dict[int, int] = {}  # id(element) → its place in document order
        self.by_name: dict[str, int] = {}  # an element's id attribute → its place
        self.contents: list[list[str]] = []  # place → [digest of its tag, attributes and text; of its tail]
        frame = hashlib.blake2b(digest_size=16)
        order = []
        matched = _matched_attributes()
        self.page_numbers_shown = _page_numbers_shown()
        for element in root.iter():
            place = len(order)
            order.append(element)
            self.place[id(element)] = place
            attributes = sorted(element.attrib.items())
            name = element.get("id")
            if name is not None:
                self.by_name.setdefault(name, place)
            shape = [(key, value if key in matched else "") for key, value in attributes]
            frame.update(repr((str(element.tag), shape, _kind(element.text), _kind(element.tail))).encode())
            self.contents.append([_digest(str(element.tag), attributes, element.text or "", size=8),
                                  _digest(element.tail or "", size=8)])
        self.frame = frame.hexdigest()
        self.end = list(range(len(order)))  # the last place in each element's subtree
        for element in reversed(order):  # children before their parent
            children = list(element)
            if children:
                self.end[self.place[id(element)]] = self.end[self.place[id(children[-1])]]

    def of(self, element) -> int:
        return self.place.get(id(element), -1)

    def of_name(self, name: str) -> int | None:
        return self.by_name.get(name)

    def last_in(self, box) -> int:
        """The last place of the document in a box of the tree (its element's subtree; for an anonymous
        box, its children's)."""
        if _own(box):
            return self.end[self.of(box.element)]
        return max((self.last_in(child) for child in getattr(box, "children", ())), default=-1)

    def changed(self, contents: list) -> tuple[int, int]:
        """The first and last places where this document's text differs from the one `contents` were read
        from (of the same frame): an element's own text there, or its tail after its subtree; (len, -1) if
        none."""
        places = [place for place, (mine, theirs) in enumerate(zip(self.contents, contents)) if mine[0] != theirs[0]]
        places += [self.end[place] for place, (mine, theirs) in enumerate(zip(self.contents, contents))
                   if mine[1] != theirs[1]]
        return (min(places), max(places)) if places else (len(self.end), -1)


def _paged_sheets() -> str:
    """The paged edition's style sheets, as written (what a layout's key holds depends on them): read again
    when one changed (a watching process lays out after an edit of a style sheet too)."""
    from .layout import STYLESHEETS
    return _sheets_read(tuple((name, (STYLES / name).stat().st_mtime_ns) for name in STYLESHEETS))


@lru_cache(maxsize=2)
def _sheets_read(sheets: tuple) -> str:
    return "".join((STYLES / name).read_text(encoding="utf-8") for name, _ in sheets)


def _matched_attributes() -> frozenset[str]:
    """The attributes whose values selectors may match: an element's id and classes, its language and
    direction, and any attribute a paged style sheet selects by (`[name…]`). The others' values (an image's
    description, a note's mark) are an element's content, compared as its text is."""
    return frozenset({"id", "class", "lang", "dir"} | set(re.findall(r"\[\s*([A-Za-z_][\w:-]*)", _paged_sheets())))


def _page_numbers_shown() -> bool:
    """Whether a paged style sheet shows a page's number or selects pages by it: a page's key then holds
    its number (the book's folios are its furniture's, drawn over the assembled pages)."""
    return any(word in _paged_sheets() for word in ("counter(page", "counters(page", ":nth("))


def start_digest(start, elements: Elements) -> tuple[str, bool]:
    """The digest of what a page was made from (a pages_made_again.PageStart), and whether a layout may
    begin or end there (no note carried over to it, no float broken across)."""
    quote_depth, counters, scopes, groups = start.page_state
    if not elements.page_numbers_shown:
        counters = {name: values for name, values in counters.items() if name not in ("page", "pages")}
        scopes = [set(scope) - {"page", "pages"} for scope in scopes]
        groups = [(group[0], group[2]) for group in groups]  # its name and where it began, not its page count
    waiting = [elements.of(note.element) for note in start.notes_waiting]
    state = json.dumps([start.resume_at, start.next_page, start.right_page, quote_depth, sorted(counters.items()),
                        [sorted(scope) for scope in scopes], groups, waiting], sort_keys=True, default=repr)
    return _digest(state), not start.notes_reported and not start.broken_out_of_flow


def _plain(box, boxes) -> bool:
    """A box whose layout from a point on depends only on what follows that point."""
    if isinstance(box, boxes.BlockBox):
        style = box.style
        return style["column_width"] == "auto" and style["column_count"] == "auto" and \
            not getattr(box, "is_table_wrapper", False)
    return isinstance(box, (boxes.LineBox, boxes.InlineBox, boxes.TextBox))


def boxes_ahead(root_box, resume_at, elements: Elements) -> tuple[str, int] | None:
    """The digest of the boxes still to lay out from `resume_at` (the one it is in, then those after it, by
    their elements' places, in the box tree's order) and the first place in the document they hold;
    None where the position is inside a box whose layout depends on what came before it too (a table)."""
    from weasyprint.formatting_structure import boxes
    chain, levels = [root_box], []
    stack = resume_at
    while stack and not isinstance(chain[-1], boxes.TextBox):  # in a text box, the stack is a place in its text
        if len(stack) != 1 or not _plain(chain[-1], boxes):
            return None
        (index, stack), = stack.items()
        children = getattr(chain[-1], "children", ())
        if index >= len(children):
            return None
        levels.append(index)
        chain.append(children[index])
    if not _plain(chain[-1], boxes):
        return None
    # The deepest block with an element of its own on the way down: all of it is still to lay out (its
    # part on the pages before changes where it breaks).
    deepest = max(i for i, box in enumerate(chain) if i == 0 or (_own(box) and isinstance(box, boxes.BlockLevelBox)))
    items = [chain[deepest]] + [box for level in range(deepest - 1, -1, -1)
                                for box in chain[level].children[levels[level] + 1:]]
    places: list[int] = []
    shape = [_shape(box, elements, places) for box in items]
    return _digest(json.dumps(shape)), min(places, default=len(elements.end))


def _shape(box, elements: Elements, places: list[int]):
    """A box of the tree as its type and its element's place (an anonymous box: its children's shapes)."""
    if _own(box):
        place = elements.of(box.element)
        places.append(place)
        return [type(box).__name__, place]
    return [type(box).__name__, elements.of(getattr(box, "element", None)),
            [_shape(child, elements, places) for child in getattr(box, "children", ())]]


def chunk_starts(starts: list[str], pages: int) -> list[int]:
    """The first page of each chunk the part is drawn in: a page whose start's digest says so, or the
    page after LONGEST_CHUNK pages without one. Decided by each page's start, so that the chunks after a
    page that begins one are the same in every layout that has that page."""
    found, last = [0], 0
    for page in range(1, pages):
        if begins_chunk(starts[page] if page < len(starts) else "") or page - last >= LONGEST_CHUNK:
            found.append(page)
            last = page
    return found


def begins_chunk(start: str) -> bool:
    return bool(start) and int(start[:8], 16) % NATURAL_CHUNK == 0


class UnusableTrail(Exception):
    """The last layout's trail cannot be taken up (the box tree may be half restored): lay out from nothing."""


def _keyed(value):
    """A skip stack read back from JSON: its keys are child indices."""
    return {int(key): _keyed(child) for key, child in value.items()} if isinstance(value, dict) else value


def _start_saved(start, elements: Elements) -> dict:
    """What a page was made from, as JSON, for a later pagination to begin at it (`_start_restored`)."""
    quote_depth, counters, scopes, groups = start.page_state
    return {"resume_at": start.resume_at, "next_page": start.next_page, "right_page": start.right_page,
            "page_state": [list(quote_depth), {name: list(values) for name, values in counters.items()},
                           [sorted(scope) for scope in scopes], [list(group) for group in groups]],
            "waiting": [elements.of(note.element) for note in start.notes_waiting],
            "sizes": [list(size) if size is not None else None for size in start.first_page_sizes]}


def _start_restored(saved: dict, notes: tuple, elements: Elements):
    from ..weasyprint_patches.pages_made_again import PageStart
    quote_depth, counters, scopes, groups = saved["page_state"]
    by_place = {elements.of(note.element): note for note in notes}
    return PageStart(_keyed(saved["resume_at"]), dict(saved["next_page"]), bool(saved["right_page"]),
                     (list(quote_depth), {name: list(values) for name, values in counters.items()},
                      [set(scope) for scope in scopes],
                      [[name, count, _keyed(where)] for name, count, where in groups]),
                     tuple(by_place[place] for place in saved["waiting"]), (), (),
                     tuple(tuple(size) if size is not None else None for size in saved["sizes"]))


class Trail:
    """A part's pagination as it goes (weasyprint_patches.pages_made_again's hooks, through
    layout.PageMaking): where to begin (`begin`), what each page made may have read (`made`), each page's
    key, start and state as it is left, and whether the last layout is rejoined there (`left`;
    `rejoined`: (this layout's page, the last's)).

    `last`: the part's last layout (a layout.PartLayout) or None; `frame`: what else must be the same."""

    def __init__(self, editor, last=None, states: dict[int, dict] | None = None, frame: str = ""):
        self.editor = editor
        self.last, self.outer_frame = last, frame
        self.states = states or {}  # page of the last layout → the state it was left in (its trail)
        self.keys: dict[int, str] = {}
        self.starts: dict[int, str] = {}
        self.writes: dict[int, int] = {}  # page → the editor's writes when it was left
        self.saved: dict[int, dict] = {}  # page → the state it was left in, for a later layout to begin at
        self.reach = -1  # the furthest place in the document the pages made so far may have read
        self.begun_at = 0  # the first page this pagination made (the last layout's before it are kept)
        self.rejoined: tuple[int, int] | None = None
        self.frame = ""
        self.elements: Elements | None = None
        self.changed = (0, 0)  # the first and last places where the text differs from the last layout's
        self._last_pages: dict[str, int] = {}  # a key → the page of the last layout left with it
        self._parent: dict[int, object] = {}  # id(box) → its parent in the box tree
        self._tree_box: dict[int, object] = {}  # id(element) → its block box in the box tree

    def begin(self, root_box, notes: tuple):
        """Where to begin (pages_made_again's `beginning`): the latest page of the last layout that begins a
        chunk of its drawing and was left in a state that read nothing the edit changed, the page editor
        put back in that state; None to begin at the first page."""
        elements = self._elements_of(root_box)
        last = self.last
        if last is None:
            return None
        for page in reversed(chunk_starts([record.start for record in last.pages], len(last.pages))):
            state = self.states.get(page)
            try:
                if page >= 1 and state and state["reach"] < self.changed[0]:
                    start = _start_restored(state["start"], notes, elements)
                    self.editor.restore(root_box, state["editor"], elements, last.writes[:state["writes"]], page)
                    self.reach, self.begun_at = state["reach"], page
                    return page, start
            except (KeyError, IndexError, TypeError, ValueError) as exc:  # a trail this code did not write
                raise UnusableTrail(f"page {page}: {exc.__class__.__name__}: {exc}") from None
        return None

    def made(self, index: int, page_box, root_box) -> None:
        """A page was made: what it holds may have been read, and what follows its last box: a break is
        decided by the boxes after it (a heading kept with the next paragraph, a box that must not be
        broken, a paragraph's first lines), so FOLLOWING boxes after it in the box tree (`_following`)."""
        from weasyprint.formatting_structure import boxes
        elements = self._elements_of(root_box)
        if not self._parent:
            stack = [root_box]
            while stack:
                box = stack.pop()
                for child in getattr(box, "children", ()):
                    self._parent[id(child)] = box
                    if isinstance(child, boxes.BlockLevelBox) and _own(child):
                        self._tree_box.setdefault(id(child.element), child)
                    stack.append(child)
        own = [box for box in page_box.descendants() if isinstance(box, boxes.BlockLevelBox) and _own(box)]
        if not own:
            return
        reach = elements.end[max(elements.of(box.element) for box in own)]  # (its ancestors go on after it)
        last, bottom = page_box.children[0], None  # the page's flow (then its notes and note area)
        while getattr(last, "children", None):
            last = last.children[-1]
            if isinstance(last, boxes.BlockLevelBox) and _own(last):
                bottom = last
        if bottom is not None and id(bottom.element) in self._tree_box:
            following = self._following(self._tree_box[id(bottom.element)], FOLLOWING)
            reach = max([reach] + [elements.last_in(box) for box in following])
        else:
            reach = len(elements.end) - 1  # nothing to go by: all of it
        self.reach = max(self.reach, reach)

    def _following(self, box, count: int) -> list:
        """The `count` boxes laid out after `box`, in the box tree's order: blocks of lines, or boxes that are
        laid out whole (not to be broken inside, a table, a picture); the boxes holding them are entered."""
        from weasyprint.formatting_structure import boxes
        found: list = []

        def whole(b) -> bool:
            children = getattr(b, "children", ())
            return not any(isinstance(child, boxes.BlockLevelBox) for child in children) or \
                b.style["break_inside"] in ("avoid", "avoid-page") or \
                getattr(b, "is_table_wrapper", False) or \
                isinstance(b, (boxes.TableBox, boxes.FlexContainerBox, boxes.GridContainerBox, boxes.ReplacedBox))

        def visit(b) -> bool:
            if whole(b):
                found.append(b)
            else:
                for child in b.children:
                    if visit(child):
                        break
            return len(found) >= count
        while box is not None:
            parent = self._parent.get(id(box))
            if parent is None:
                break
            siblings = parent.children
            position = next(i for i, sibling in enumerate(siblings) if sibling is box)
            for sibling in siblings[position + 1:]:
                if visit(sibling):
                    return found
            box = parent
        return found

    def left(self, index: int, root_box, start) -> bool:
        """The pagination leaves page `index`, made from `start`: its key and state; True where the last
        layout was left with the same key and no text changed from what is still to lay out."""
        elements = self._elements_of(root_box)
        self.starts[index], possible = start_digest(start, elements)
        self.writes[index] = len(self.editor.writes)
        ahead = boxes_ahead(root_box, start.resume_at, elements) if possible else None
        state = self.editor.state_ahead(elements, ahead[1], index) if ahead is not None else None
        key = "" if state is None else _digest(self.starts[index], ahead[0], json.dumps(state, default=repr))
        self.keys[index] = key
        saved = self.editor.saved_state(elements, index) if key else None
        if saved is not None:
            self.saved[index] = {"start": _start_saved(start, elements), "editor": saved, "reach": self.reach,
                                 "writes": len(self.editor.writes)}
        else:
            self.saved.pop(index, None)
        page = self._last_pages.get(key) if key and index >= 1 else None
        if page is not None and ahead[1] > self.changed[1]:
            self.rejoined = (index, page)
            return True
        return False

    def _elements_of(self, root_box) -> Elements:
        if self.elements is None:
            self.elements = elements = Elements(root_box.element)
            self.frame = _digest(elements.frame, self.outer_frame)
            last = self.last
            if last is not None and last.frame == self.frame and len(last.contents) == len(elements.contents):
                self.changed = elements.changed(last.contents)
                starts = set(chunk_starts([record.start for record in last.pages], len(last.pages)))
                self._last_pages = {record.key: page for page, record in enumerate(last.pages)
                                    if record.key and page >= 1 and page in starts and begins_chunk(record.start)}
            else:
                self.last = None
        return self.elements


__all__ = ["Trail", "Elements", "UnusableTrail", "chunk_starts", "begins_chunk", "boxes_ahead", "start_digest"]
