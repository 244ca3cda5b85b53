"""The message catalogue: every message in both languages, with the same placeholders, and every one used.

The checks are functions over a catalogue, so each is also run on a
deliberately broken catalogue to show that it catches what it is for.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from publish import messages
from publish.errors import Problem
from publish.messages import CATALOGUE, Entry, Literal, placeholders, say

PACKAGE = Path(messages.__file__).resolve().parent
HAN = re.compile(r"[\u4e00-\u9fff]")

DETAIL_ONLY_IN_ENGLISH = {"detail"}
"""A placeholder for another program's own English words (PyYAML's): the Chinese text may leave it out."""

SAME_IN_BOTH = {"label.separator"} | {i for i in CATALOGUE if i.startswith(("type.bool", "received"))}
"""Entries whose Chinese is rightly the English (punctuation, `true/false`, a value as written)."""

DYNAMIC_IDS = {
    # ids the code builds from a value, with every value it can have
    "label.error", "label.warning", "problems.more-errors", "problems.more-warnings",
    "thing.sidebar", "thing.box",
    *(f"cli.{name}" for name in ("build", "check", "watch", "proof", "new")),
    *(f"cli.{name}.description" for name in ("build", "check", "watch", "proof", "new")),
}


def placeholder_problems(catalogue: dict[str, Entry]) -> list[str]:
    problems = []
    for message_id, entry in catalogue.items():
        for english, chinese, part in ((entry.en, entry.zh, "text"), (entry.fix_en, entry.fix_zh, "fix")):
            missing = placeholders(english) - placeholders(chinese) - DETAIL_ONLY_IN_ENGLISH
            extra = placeholders(chinese) - placeholders(english)
            if missing or extra:
                problems.append(f"{message_id} ({part}): Chinese lacks {sorted(missing)}, adds {sorted(extra)}")
    return problems


def english_words(text: str) -> bool:
    """Words of English left in a text, once its placeholders and `code` are taken out."""
    prose = re.sub(r"`[^`]*`|\{\w+\}", "", text)
    return bool(re.search(r"[A-Za-z]{2,}", prose)) and not HAN.search(prose)


def translation_problems(catalogue: dict[str, Entry]) -> list[str]:
    problems = []
    for message_id, entry in catalogue.items():
        if not entry.en or not entry.zh:
            problems.append(f"{message_id}: a text is empty")
        if bool(entry.fix_en) != bool(entry.fix_zh):
            problems.append(f"{message_id}: a fix in one language only")
        if message_id in SAME_IN_BOTH:
            continue
        if english_words(entry.zh):
            problems.append(f"{message_id}: the Chinese text is not Chinese: {entry.zh!r}")
        if english_words(entry.fix_zh):
            problems.append(f"{message_id}: the Chinese fix is not Chinese: {entry.fix_zh!r}")
    return problems


def ids_used_in_code() -> set[str]:
    used = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name == "messages.py":
            continue
        used |= set(re.findall(r"""["']([a-z][a-z0-9.-]*)["']""", path.read_text(encoding="utf-8")))
    return used


def unknown_and_unused(catalogue: dict[str, Entry], used: set[str]) -> tuple[set[str], set[str]]:
    said = {u for u in used if "." in u and u.split(".")[0] in {i.split(".")[0] for i in catalogue}}
    unknown = {u for u in said if u not in catalogue and not u.endswith((".py", ".md", ".yaml", ".html"))}
    unused = set(catalogue) - used - DYNAMIC_IDS
    return unknown, unused


# -- the checks on the real catalogue ---------------------------------------------------------------------

def test_both_languages_have_the_same_placeholders():
    assert placeholder_problems(CATALOGUE) == []


def test_every_message_and_fix_is_translated():
    assert translation_problems(CATALOGUE) == []


def test_every_message_the_code_says_is_in_the_catalogue_and_every_entry_is_said():
    unknown, unused = unknown_and_unused(CATALOGUE, ids_used_in_code())
    assert unknown == set(), "said in the code but not in publish/messages.py"
    assert unused == set(), "in the catalogue but said nowhere"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_message_renders_with_its_placeholders(language):
    for message_id, entry in CATALOGUE.items():
        values = {name: f"<{name}>" for name in placeholders(entry.en) | placeholders(entry.fix_en)}
        message = say(message_id, **values)
        for name in placeholders(entry.text(language)):
            assert f"<{name}>" in message.text(language), message_id
        message.fix(language)


def test_a_message_names_its_problem_in_either_language_and_nested_values_follow():
    problem = Problem(Path("chapter.md"), 12, say("schema.wrong-type", key="level", expected=say("type.int"),
                                                  received=say("received", kind=say("type.text"), value="one"),
                                                  about="", quote=""), column=8)
    assert problem.render("en") == ("chapter.md:12:8: error: `level` must be a whole number, but received text "
                                    "`one`\n    fix: write `level:` followed by a whole number")
    assert problem.render("zh") == ("chapter.md:12:8: 错误：`level` 应当是整数，实际是文字 `one`\n"
                                    "    修改：在 `level:` 后面写整数")


def test_lists_are_joined_as_each_language_joins_them():
    message = say("block.malformed-line", types=["sidebar", "figure"])
    assert message.fix("en") == "use one of: sidebar, figure"
    assert message.fix("zh") == "可用的类型：sidebar、figure"


def test_words_from_another_program_are_shown_as_they_are():
    literal = Problem(Path("x.md"), 1, Literal("something else said this", "and this"))
    assert literal.render("zh") == "x.md:1: 错误：something else said this\n    修改：and this"


def test_an_unknown_message_id_is_refused_where_it_is_said():
    with pytest.raises(KeyError, match="no message `spine.missng`"):
        say("spine.missng")


# -- the checks on deliberately broken catalogues --------------------------------------------------------

BROKEN = {
    "spine.empty": Entry("the spine lists no file", "spine 没有列出任何文件", "list them", "列出文件"),
    "lost.placeholder": Entry("`{entry}` is missing", "缺少文件", "create {name}", "创建 {name}"),
    "added.placeholder": Entry("missing", "缺少 `{entry}`"),
    "untranslated": Entry("the file is empty", "the file is empty", "write something", "写点东西"),
    "half.fix": Entry("the file is empty", "文件是空的", "write something", ""),
}


def test_the_placeholder_check_catches_a_lost_or_added_placeholder():
    assert [p.split(" ")[0] for p in placeholder_problems(BROKEN)] == ["lost.placeholder", "added.placeholder"]


def test_the_translation_check_catches_english_left_in_chinese_and_a_fix_in_one_language():
    found = translation_problems(BROKEN)
    assert any(p.startswith("untranslated:") for p in found)
    assert any(p.startswith("half.fix:") for p in found)
    assert not any(p.startswith(("spine.empty", "lost", "added")) for p in found)


def test_the_usage_check_catches_an_id_said_but_missing_and_an_entry_never_said():
    unknown, unused = unknown_and_unused(BROKEN, {"spine.empty", "spine.emtpy", "lost.placeholder"})
    assert unknown == {"spine.emtpy"}
    assert unused == {"added.placeholder", "untranslated", "half.fix"}
