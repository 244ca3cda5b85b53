"""Every message the toolchain says to an editor, in English and in Chinese, in one place.

A message has an id (``spine.missing-file``), a text in each language and,
for a problem, a fix (the ``fix:`` line) in each language. Placeholders are
named (``{entry}``) and are the same in both texts (tests/test_messages.py
checks it). Code never writes the words itself: it says which message, with
which values::

    log.error(path, line, say("spine.missing-file", entry="annexe.md", folder=root))

and the words are chosen when the message is shown, in the language in use:
Chinese when ``--lang zh`` or the locale (LC_ALL, LC_MESSAGES, LANG, in that
order, as POSIX reads them) asks for it, English otherwise. The library
itself speaks English until the command line (publish/cli.py) says otherwise,
so a program that imports it gets the same words wherever it runs.

A value may itself be a message (the kind of thing, a received type), a list
(joined as each language joins lists), or anything else (shown with `str`).
"""
from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from string import Formatter

LANGUAGES = ("en", "zh")
_language = "en"


def set_language(language: str) -> None:
    global _language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    _language = language


def current_language() -> str:
    return _language


def language_from_environment(environ=None) -> str:
    """`zh` when the locale's messages are Chinese (zh_CN.UTF-8, zh_TW, zh), else `en`.

    POSIX order: LC_ALL overrides LC_MESSAGES, which overrides LANG; the first
    one set decides.
    """
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


@dataclass(frozen=True)
class Entry:
    en: str
    zh: str
    fix_en: str = ""
    fix_zh: str = ""

    def text(self, language: str) -> str:
        return self.zh if language == "zh" else self.en

    def fix(self, language: str) -> str:
        return self.fix_zh if language == "zh" else self.fix_en


class Message:
    """A catalogue message with its values: rendered in a language only when shown."""

    __slots__ = ("id", "values")

    def __init__(self, message_id: str, values: dict):
        if message_id not in CATALOGUE:
            raise KeyError(f"no message `{message_id}` in publish/messages.py")
        self.id = message_id
        self.values = tuple(sorted((k, _frozen(v)) for k, v in values.items()))

    def text(self, language: str | None = None) -> str:
        language = language or _language
        return _fill(CATALOGUE[self.id].text(language), self.values, language)

    def fix(self, language: str | None = None) -> str:
        language = language or _language
        return _fill(CATALOGUE[self.id].fix(language), self.values, language)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"say({self.id!r}, {dict(self.values)!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Message) and (self.id, self.values) == (other.id, other.values)

    def __hash__(self) -> int:
        return hash((self.id, self.values))


class Literal:
    """Words not in the catalogue (another program's own message): the same in every language."""

    __slots__ = ("words", "fix_words")

    def __init__(self, words: str, fix_words: str = ""):
        self.words, self.fix_words = words, fix_words

    def text(self, language: str | None = None) -> str:
        return self.words

    def fix(self, language: str | None = None) -> str:
        return self.fix_words

    def __str__(self) -> str:
        return self.words

    def __eq__(self, other) -> bool:
        return isinstance(other, Literal) and (self.words, self.fix_words) == (other.words, other.fix_words)

    def __hash__(self) -> int:
        return hash((self.words, self.fix_words))


def say(message_id: str, **values) -> Message:
    return Message(message_id, values)


def text(message_id: str, **values) -> str:
    """The message's text in the language in use (for lines that are not problems)."""
    return Message(message_id, values).text()


def did_you_mean(word: str, candidates, cutoff: float = 0.6) -> Message | str:
    """`did you mean `x`? ` for the closest candidate, or nothing when none is close."""
    close = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=1, cutoff=cutoff)
    return say("hint.did-you-mean", name=close[0]) if close else ""


def closest(word: str, candidates, cutoff: float = 0.6) -> str | None:
    close = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=1, cutoff=cutoff)
    return close[0] if close else None


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def _frozen(value):
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def _shown_value(value, language: str) -> str:
    if isinstance(value, (Message, Literal)):
        return value.text(language)
    if isinstance(value, tuple):
        return ("、" if language == "zh" else ", ").join(_shown_value(v, language) for v in value)
    return str(value)


def _fill(template: str, values: tuple, language: str) -> str:
    return template.format_map({name: _shown_value(value, language) for name, value in values})


def _catalogue(*entries: tuple) -> dict[str, Entry]:
    table: dict[str, Entry] = {}
    for message_id, *texts in entries:
        if message_id in table:
            raise ValueError(f"message `{message_id}` is defined twice")
        table[message_id] = Entry(*texts)
    return table


# Each entry: id, English text, Chinese text[, English fix, Chinese fix].
CATALOGUE: dict[str, Entry] = _catalogue(
    # -- how a problem is shown ---------------------------------------------------------------------------
    ("label.error", "error", "错误"),
    ("label.warning", "warning", "警告"),
    ("label.fix", "fix", "修改"),
    ("label.separator", ": ", "："),
    ("hint.did-you-mean", "did you mean `{name}`? ", "是不是 `{name}`？"),
    ("hint.did-you-mean-alone", "did you mean `{name}`?", "是不是 `{name}`？"),
    ("problems.more-errors", "{count} more errors in this file are not listed",
     "此文件还有 {count} 个错误未列出",
     "fix the ones above, then run `publish check` again", "先改好上面列出的，再运行 `publish check`"),
    ("problems.more-warnings", "{count} more warnings in this file are not listed",
     "此文件还有 {count} 个警告未列出",
     "fix the ones above, then run `publish check` again", "先改好上面列出的，再运行 `publish check`"),

    # -- kinds of things and of values, used inside other messages ---------------------------------------
    ("what.front-matter", "the front matter", "文件头（front matter）"),
    ("what.figure", "a figure", "图片块"),
    ("what.file", "this file", "此文件"),
    ("thing.chapter", "chapter", "章节"),
    ("thing.paragraph", "paragraph", "段落"),
    ("thing.heading", "heading", "标题"),
    ("thing.figure", "figure", "图片"),
    ("thing.table", "table", "表格"),
    ("thing.sidebar", "sidebar", "专栏"),
    ("thing.box", "box", "方框"),
    ("type.text", "text", "文字"),
    ("type.int", "a whole number", "整数"),
    ("type.list", "a list", "列表"),
    ("type.mapping", "a mapping", "映射（`键: 值`）"),
    ("type.number", "a number", "数字"),
    ("type.bool", "true/false", "true/false"),
    ("type.nothing", "nothing", "空值"),
    ("received", "{kind} `{value}`", "{kind} `{value}`"),
    ("yaml.unclosed.list", "the list `[`", "列表的 `[`"),
    ("yaml.unclosed.mapping", "the mapping `{{`", "映射的 `{{`"),
    ("yaml.unclosed.quote", "the quote", "引号"),

    # -- text files (publish/load/text_file.py) ----------------------------------------------------------
    ("file.too-large", "the file is {size} MB; a content file is at most {limit} MB",
     "文件有 {size} MB；内容文件最大 {limit} MB",
     "check that this is the right file, or split it", "确认文件没有放错，或把它拆开"),
    ("file.unreadable", "cannot read the file: {reason}", "无法读取文件：{reason}",
     "check that the file exists and can be read", "确认文件存在并且可以读取"),
    ("file.not-utf8", "the file is not UTF-8 (byte 0x{byte} at offset {offset})",
     "文件不是 UTF-8 编码（偏移 {offset} 处的字节 0x{byte}）",
     "save the file as UTF-8 (in most editors: Save with encoding → UTF-8)",
     "把文件另存为 UTF-8 编码（多数编辑器：另存为 → 编码 → UTF-8）"),
    ("file.forbidden-character",
     "the character U+{code} is not allowed in content (a control character or a Unicode noncharacter)",
     "内容中不能有字符 U+{code}（控制字符或 Unicode 非字符）",
     "delete it; it is usually left by a copy from another program", "删除它；它通常是从别的程序复制时带进来的"),
    ("file.more-forbidden-characters", "{count} more characters like these in the file",
     "文件中还有 {count} 个这样的字符",
     "delete them all, e.g. with a search for control characters in the editor",
     "全部删除，例如在编辑器里搜索控制字符"),

    # -- YAML (publish/load/yaml_source.py) --------------------------------------------------------------
    ("yaml.too-long", "{what} is {length} characters long; the limit is {limit}",
     "{what}有 {length} 个字符；上限是 {limit}",
     "a configuration is a few hundred lines: check that the closing `---` is in place",
     "配置只有几百行：检查结尾的 `---` 是否写了"),
    ("yaml.broken", "broken YAML in {what}: {detail}", "{what}的 YAML 有误：{detail}",
     "check the indentation and quoting on this line; a value containing ': ' or starting with a quote or "
     "bracket must be put in double quotes",
     "检查这一行的缩进和引号；值里含有 `: `，或以引号、括号开头时，要把整个值放在双引号里"),
    ("yaml.colon-in-value",
     "broken YAML in {what}: a second `: ` on this line (mapping values are not allowed here): "
     "YAML reads the text after it as another key",
     "{what}的 YAML 有误：这一行有第二个 `: `，YAML 把它后面的文字当成了另一个键",
     "put the whole value in double quotes, e.g. `title: \"测试: 副标题\"`",
     "把整个值放在双引号里，例如 `title: \"测试: 副标题\"`"),
    ("yaml.not-key-value",
     "broken YAML in {what}: this line is not `key: value` (could not find the `:` after a key)",
     "{what}的 YAML 有误：这一行不是 `键: 值` 的形式（键后面找不到 `:`）",
     "write `key: value`, with a space after the colon, or continue the value above in double quotes",
     "写成 `键: 值`，冒号后空一格；如果是上一行值的续行，把那个值放在双引号里"),
    ("yaml.indentation",
     "broken YAML in {what}: the indentation of this line does not fit the lines above",
     "{what}的 YAML 有误：这一行的缩进与上面的行对不上",
     "start each key at the left edge, and indent list items (`- …`) under their key by two spaces",
     "每个键从行首写起；列表项（`- …`）在它的键下面缩进两个空格"),
    ("yaml.reserved-start",
     "broken YAML in {what}: a value cannot start with `{character}` unless it is in quotes",
     "{what}的 YAML 有误：值不能以 `{character}` 开头，除非放在引号里",
     "put the value in double quotes", "把这个值放在双引号里"),
    ("yaml.bad-escape", "broken YAML in {what}: an unknown escape `\\{character}` in a double-quoted value",
     "{what}的 YAML 有误：双引号里有未知的转义 `\\{character}`",
     "write a backslash as `\\\\`, or use single quotes", "反斜杠要写成 `\\\\`，或者改用单引号"),
    ("yaml.unclosed", "broken YAML in {what}: {thing} opened here is never closed ({detail} on line {line})",
     "{what}的 YAML 有误：这里开始的{thing}没有闭合（YAML 读到第 {line} 行才发现）",
     "close it on the same line, or put the whole value in double quotes",
     "在同一行闭合它，或者把整个值放在双引号里"),
    ("yaml.alias", "broken YAML in {what}: an alias `*{name}` is not supported here",
     "{what}的 YAML 有误：不支持别名 `*{name}`",
     "write the value out in full instead of `*name`", "把值完整写出来，不要用 `*名字`"),
    ("yaml.tag", "broken YAML in {what}: a tag `{tag}` is not supported here",
     "{what}的 YAML 有误：不支持标签 `{tag}`",
     "remove the `!…` tag; write the value plainly (put text in double quotes)",
     "去掉 `!…` 标签，直接写值（文字放在双引号里）"),
    ("yaml.bad-character", "broken YAML in {what}: character U+{code} cannot be used in YAML",
     "{what}的 YAML 有误：YAML 里不能用字符 U+{code}",
     "delete it, or write the value in double quotes with an escape", "删除它，或者把值放在双引号里并用转义写出"),
    ("yaml.too-deep", "broken YAML in {what}: lists or mappings nested too deeply",
     "{what}的 YAML 有误：列表或映射嵌套太深",
     "check for a run of `[` or `{{` that is never closed", "检查是否有一串没有闭合的 `[` 或 `{{`"),
    ("yaml.unreadable-value", "broken YAML in {what}: a value cannot be read ({detail})",
     "{what}的 YAML 有误：有一个值无法读取（{detail}）",
     "write each value plainly, as text, a number or a list", "每个值都直接写成文字、数字或列表"),
    ("yaml.not-a-mapping", "{what} must be a mapping of `key: value` lines, found {found}",
     "{what}应当是一行一个的 `键: 值`，实际是{found}",
     "write one `key: value` per line", "每行写一个 `键: 值`"),
    ("yaml.duplicate-key", "the key `{key}` is written twice in {what} (first on line {first})",
     "键 `{key}` 在{what}里写了两次（第一次在第 {first} 行）",
     "keep one of the two lines; YAML would silently use the last", "只保留一行；否则 YAML 会悄悄采用最后一个"),
    ("yaml.tab",
     "a tab on this line of {what}: YAML indents and separates with spaces only",
     "{what}的这一行有制表符（Tab）：YAML 只能用空格缩进和分隔",
     "replace the tab with spaces (two spaces before `- ` in a list)", "把制表符换成空格（列表的 `- ` 前面空两格）"),
    ("yaml.fullwidth-colon",
     "a full-width colon `：` after the key `{key}` in {what}: YAML needs the ASCII colon `:`",
     "{what}中键 `{key}` 后面是全角冒号“：”：YAML 要用半角冒号 `:`",
     "write `{key}: ` with the ASCII colon and a space (switch the input method to half-width)",
     "改成半角冒号加空格 `{key}: `（把输入法切换到半角）"),

    # -- the schema (publish/load/schema.py) -------------------------------------------------------------
    ("schema.unknown-key", "unknown key `{key}` in {what}", "{what}中有未知的键 `{key}`",
     "{suggestion}expected one of: {keys}", "{suggestion}可用的键：{keys}"),
    ("schema.missing-key", "{what} has no `{key}`", "{what}缺少 `{key}`",
     "add a line `{key}: …`{about}", "添加一行 `{key}: …`{about}"),
    ("schema.about", " ({help})", "（{help}）"),
    ("schema.wrong-type", "`{key}` must be {expected}, but received {received}",
     "`{key}` 应当是{expected}，实际是{received}",
     "write `{key}:` followed by {expected}{about}{quote}", "在 `{key}:` 后面写{expected}{about}{quote}"),
    ("schema.quote-text", "; put text in double quotes", "；文字放在双引号里"),
    ("schema.not-a-choice", "`{key}` must be one of {choices}, but received `{value}`",
     "`{key}` 只能是 {choices} 之一，实际是 `{value}`",
     "{suggestion}write one of: {choices}", "{suggestion}请写其中之一：{choices}"),
    ("schema.empty", "`{key}` is empty", "`{key}` 是空的",
     "write the {key} after `{key}: `{about}", "在 `{key}: ` 后面写上内容{about}"),
    ("schema.bad-form", "`{key}` does not have the expected form: received `{value}`",
     "`{key}` 的格式不对：实际是 `{value}`",
     "{help}", "{help}"),
    ("schema.see-docs", "see docs/content-format.md", "参见 docs/content-format.md"),
    ("schema.bad-item", "item {index} of `{key}` must be {expected}, but received {received}",
     "`{key}` 的第 {index} 项应当是{expected}，实际是{received}",
     "quote it if it is text: `- \"…\"`", "如果是文字，请加引号：`- \"…\"`"),
    ("help.id", "the output folder name: lower-case letters, digits and hyphens, e.g. gsi-report-2024",
     "输出文件夹的名字：小写字母、数字和连字符，例如 gsi-report-2024"),
    ("help.series", "e.g. 国研院专题研究报告", "例如 国研院专题研究报告"),
    ("press.preflight-failed", "print.pdf did not pass the preflight of a strict build: {problems}",
     "严格模式下 print.pdf 未通过印前检查：{problems}",
     "read output/<id>/preflight.txt of a build without --strict; fix each problem (a missing photo, a photo "
     "under 300 ppi …), then build again",
     "不加 --strict 生成一次，阅读 output/<id>/preflight.txt，逐条改正（缺图、分辨率低于 300 ppi 的图片……）后再生成"),
    ("press.profile-missing", "the press profile `{profile}` is not a file in the publication folder",
     "印刷特性文件 `{profile}` 不在出版物文件夹里",
     "put the printer's .icc file in the publication folder and name it here, or remove `press_profile`",
     "把印刷厂的 .icc 文件放进出版物文件夹并在这里写它的名字，或者删掉 `press_profile`"),
    ("press.ink-limit", "`ink_limit` is {value}; a press allows between 100 and 400 percent",
     "`ink_limit` 是 {value}；印刷允许的总墨量在 100 到 400 之间", "write the percentage the printer gives, e.g. 300",
     "写印刷厂给出的百分比，例如 300"),
    ("press.version", "`print_version` is {value}; versions count from 1", "`print_version` 是 {value}；版本号从 1 开始",
     "write 1 for the first file sent to the printer", "第一次送印写 1"),
    ("help.marks", "crop marks on print.pdf, outside the bleed: crop, or none (many printers add their own)",
     "print.pdf 的裁切线（画在出血之外）：crop，或 none（很多印刷厂自己加）"),
    ("help.press-profile", "the printer's own ICC profile (CMYK), a file in the publication folder; "
     "by default the FOGRA39 profile built at setup",
     "印刷厂提供的 ICC 特性文件（CMYK），放在出版物文件夹里；不写则用安装时生成的 FOGRA39"),
    ("help.press-condition", "the registered name of the printing condition the profile is for, e.g. FOGRA51",
     "特性文件所对应印刷条件的注册名称，例如 FOGRA51"),
    ("help.ink-limit", "the total ink the press allows, in percent, e.g. 300", "印刷允许的总墨量（百分比），例如 300"),
    ("help.strict", "true: every warning fails the build (for the file that goes to the printer)",
     "true：任何警告都使生成失败（送印刷厂的文件用）"),
    ("help.bound", "true: the book is bound, so its page count should be a multiple of 4",
     "true：书要装订，页数应为 4 的倍数"),
    ("help.print-version", "the version of the press file, raised for each corrected file sent to the printer",
     "印刷文件的版本号，每次改正后重新送印时加一"),
    ("help.date", "ISO date of publication, e.g. 2024-07 or 2024-07-19", "出版日期（ISO 格式），例如 2024-07 或 2024-07-19"),
    ("help.date-display", "the date as printed, e.g. 二〇二四年七月", "印出来的日期，例如 二〇二四年七月"),
    ("help.language", "a language tag, e.g. zh-CN", "语言标记，例如 zh-CN"),
    ("help.identifier", "a stable unique id, e.g. urn:uuid:…", "固定不变的唯一标识，例如 urn:uuid:…"),
    ("help.trim", "the trimmed page size: A4, A5, B5 or two lengths like `170mm 240mm`",
     "成品尺寸：A4、A5、B5，或两个长度，如 `170mm 240mm`"),
    ("help.bleed", "a length, e.g. 3mm", "一个长度，例如 3mm"),
    ("help.contents-depth", "heading levels listed in the contents", "目录列出的标题层级数"),
    ("help.blurb", "paragraphs printed on the title page's back", "印在扉页背面的段落"),
    ("help.back-cover", "lines printed on the back cover", "印在封底的文字行"),
    ("help.credits", "`- {{label: 责任编辑, value: …}}` lines of a colophon", "版权页的 `- {{label: 责任编辑, value: …}}` 行"),
    ("help.source-url", "the web address of the source, starting with https://", "来源网址，以 https:// 开头"),
    ("help.spine", "the chapter files in reading order", "按阅读顺序排列的章节文件"),
    ("help.number", 'the chapter number of an opener, e.g. "01"', '章首页的章号，例如 "01"'),
    ("help.label", "e.g. 附件 1", "例如 附件 1"),
    ("help.chapter-id", "the chapter's id, e.g. foreword: a letter, then letters, digits, `-`, `_` or `.`",
     "章节的 id，例如 foreword：字母开头，其后是字母、数字、`-`、`_` 或 `.`"),
    ("help.toc-subtitle", "a line under the title in the contents and on the opener", "目录和章首页标题下的一行"),

    # -- publication.yaml and the spine (publish/load/publication.py) ------------------------------------
    ("spine.empty", "the spine lists no file", "spine 没有列出任何文件",
     "list the chapter files under `spine:`, one `- file.md` per line",
     "在 `spine:` 下列出章节文件，每行一个 `- 文件.md`"),
    ("spine.outside", "spine entry `{entry}` points outside the publication folder",
     "spine 条目 `{entry}` 指向出版物文件夹之外",
     "name a file inside the folder, without `..` or an absolute path", "写文件夹里的文件名，不要用 `..` 或绝对路径"),
    ("spine.not-a-file", "spine entry `{entry}` is not a file", "spine 条目 `{entry}` 不是文件",
     "name a Markdown file in {folder}", "写 {folder} 里的 Markdown 文件名"),
    ("spine.missing-file", "spine entry `{entry}` names a file that does not exist",
     "spine 条目 `{entry}` 所指的文件不存在",
     "{suggestion}create {name} in {folder}, or correct the name in the spine",
     "{suggestion}在 {folder} 里创建 {name}，或者改正 spine 里的文件名"),
    ("spine.twice", "spine entry `{entry}` is listed twice (first on line {first})",
     "spine 条目 `{entry}` 列了两次（第一次在第 {first} 行）",
     "list each file once", "每个文件只列一次"),
    ("spine.reserved-page",
     "spine entry `{entry}` would make a page named `{page}`, which the editions use for their own page",
     "spine 条目 `{entry}` 会生成名为 `{page}` 的页面，这个名字是各版本自己的页面用的",
     "rename the file, e.g. to 00-intro.md", "给文件改个名，例如 00-intro.md"),
    ("spine.same-page", "spine entry `{entry}` would make a page named `{page}`, as `{other}` on line {line} does",
     "spine 条目 `{entry}` 会生成名为 `{page}` 的页面，与第 {line} 行的 `{other}` 相同",
     "rename one of the files; page names use the Latin letters and digits of the file name",
     "给其中一个文件改名；页面名取自文件名中的拉丁字母和数字"),
    ("credits.bad-item", "each credit must be `{{label: …, value: …}}` with text values",
     "每条 credits 都应是 `{{label: …, value: …}}`，值为文字",
     "write `- {{label: 责任编辑, value: 姓名}}`", "写成 `- {{label: 责任编辑, value: 姓名}}`"),

    # -- chapter files (publish/load/markdown_source.py) -------------------------------------------------
    ("chapter.empty-file", "the file is empty", "文件是空的",
     "write the front matter (`---`, `title: …`, `level: …`, `---`) and the text, or remove the file from the "
     "spine",
     "写上文件头（`---`、`title: …`、`level: …`、`---`）和正文，或者把文件从 spine 中去掉"),
    ("chapter.no-front-matter", "the file does not start with front matter", "文件开头没有文件头（front matter）",
     "begin the file with a `---` line, the `title:` and `level:` keys, and a closing `---` line",
     "文件第一行写 `---`，然后写 `title:` 和 `level:`，再用一行 `---` 结束"),
    ("chapter.front-matter-unclosed", "the front matter is not closed", "文件头没有结束",
     "add a `---` line after the last front-matter key", "在文件头最后一个键后面加一行 `---`"),
    ("chapter.comment-unclosed", "a comment `<!--` is never closed: the rest of the file is hidden",
     "注释 `<!--` 没有结束：文件的其余部分都被当成了注释",
     "end the comment with `-->`", "用 `-->` 结束注释"),
    ("chapter.paragraph-too-long", "this paragraph is {length} characters long; the limit is {limit}",
     "这一段有 {length} 个字符；上限是 {limit}",
     "split it with blank lines, or check for text pasted many times", "用空行把它分成几段，或检查是否重复粘贴"),
    ("chapter.line-too-long", "this line is {length} characters long; the limit is {limit}",
     "这一行有 {length} 个字符；上限是 {limit}",
     "split it into paragraphs with blank lines, or check for text pasted many times",
     "用空行把它分成几段，或检查是否重复粘贴"),
    ("chapter.no-text", "this chapter has no text", "这一章没有正文",
     "write its paragraphs below the front matter, or remove it from the spine",
     "在文件头下面写正文，或者把它从 spine 中去掉"),

    # -- blocks ------------------------------------------------------------------------------------------
    ("block.figure-nested", "a figure cannot contain another block", "图片块里不能再放别的块",
     "close the figure with a `:::` line before opening the next block", "先用一行 `:::` 结束图片块，再开始下一个块"),
    ("block.close-without-open", "`:::` closes a block, but no block is open here",
     "`:::` 用来结束一个块，但这里没有打开的块",
     "remove this line, or open the block it should close (e.g. `::: sidebar 【标题】`)",
     "删除这一行，或者补上它要结束的块的开头（例如 `::: sidebar 【标题】`）"),
    ("block.unknown-type", "unknown block type `{type}`", "未知的块类型 `{type}`",
     "{suggestion}use one of: {types} (see docs/content-format.md)",
     "{suggestion}可用的类型：{types}（参见 docs/content-format.md）"),
    ("block.unknown-type-checked", "unknown block type `{type}` (its contents were checked as a `{checked}` block)",
     "未知的块类型 `{type}`（其中的内容已按 `{checked}` 块检查）",
     "{suggestion}use one of: {types} (see docs/content-format.md)",
     "{suggestion}可用的类型：{types}（参见 docs/content-format.md）"),
    ("block.too-deep", "blocks are nested more than {limit} deep here", "这里的块嵌套超过 {limit} 层",
     "close each block with a `:::` line where it ends", "每个块结束的地方用一行 `:::` 关闭"),
    ("block.malformed-line", "a `:::` line must be `:::` alone (closing a block) or `::: type` (opening one)",
     "`:::` 行只能是单独的 `:::`（结束块）或 `::: 类型`（开始块）",
     "use one of: {types}", "可用的类型：{types}"),
    ("block.unclosed", "the `{type}` block opened here is never closed", "这里开始的 `{type}` 块没有结束",
     "add a line `:::` where the block ends", "在块结束的地方加一行 `:::`"),
    ("block.fullwidth-colons",
     "`{written}` is written with full-width colons `：`: a block line needs three ASCII colons `:::`",
     "`{written}` 用的是全角冒号“：”：块的开头和结尾要用三个半角冒号 `:::`",
     "type `:::` with the input method in half-width mode", "把输入法切换到半角，输入 `:::`"),
    ("heading.fullwidth-hash",
     "`{written}` is written with a full-width `＃`: a heading starts with ASCII `#` marks",
     "`{written}` 用的是全角“＃”：标题要用半角 `#` 开头",
     "type the `#` marks with the input method in half-width mode, then a space",
     "把输入法切换到半角，输入 `#` 再空一格"),
    ("heading.bad-id", "the heading id `{anchor}` is not a valid id", "标题 id `{anchor}` 不是有效的 id",
     "start it with a letter, then use letters, digits, `-`, `_` or `.` (e.g. `{{#dir-01}}`)",
     "以字母开头，其后用字母、数字、`-`、`_` 或 `.`（例如 `{{#dir-01}}`）"),
    ("heading.empty", "this heading has no text", "这个标题没有文字",
     "write the heading after the `#` marks", "在 `#` 后面写标题文字"),
    ("heading.too-shallow", "a level-{level} heading inside a level-{file_level} file",
     "{file_level} 级文件里出现了 {level} 级标题",
     "use {marks} or deeper; the file's own heading comes from `title:` in its front matter",
     "用 {marks} 或更深的标题；文件本身的标题来自文件头的 `title:`"),
    ("heading.inside-block", "a heading inside a {kind} block", "{kind}块里不能有标题",
     "give the block a title on its opening line instead", "把标题写在块的开头一行"),
    ("table.rule-misplaced", "a table rule `|---|` must come right after the header row",
     "表格分隔行 `|---|` 必须紧跟在表头行后面",
     "put the header row `| 时间 | 文件 |` on the line above", "在上一行写表头行 `| 时间 | 文件 |`"),
    ("table.outside-block", "a table outside a `::: table` block", "表格不在 `::: table` 块里",
     "wrap it in `::: table 表题` … `:::` so it has a caption", "用 `::: table 表题` … `:::` 把它包起来，给它一个表题"),
    ("table.bad-structure", "a `table` block holds notes and exactly one pipe table",
     "`table` 块里只能有表注和一个表格",
     "check for a blank line inside the table, or a block inside it", "检查表格中间是否有空行，或者表格里是否放了别的块"),
    ("table.row-width", "this table row has {cells} cells, the header has {width}",
     "这一行表格有 {cells} 个单元格，表头有 {width} 个",
     "give every row the same number of `|`-separated cells", "每一行用 `|` 分隔的单元格数要相同"),
    ("source.one-paragraph", "a `source` block holds exactly one paragraph", "`source` 块里只能有一段",
     "put the whole `整理自…` note in one paragraph", "把整条“整理自……”写成一段"),
    ("quote.only-paragraphs", "a `{kind}` block holds only paragraphs", "`{kind}` 块里只能有段落",
     "close the quote before the next block", "在下一个块之前结束引文块"),
    ("sidebar.no-title", "a sidebar needs a title", "专栏需要标题",
     "write it on the opening line: `::: sidebar 【标题】`", "写在开头一行：`::: sidebar 【标题】`"),

    # -- figures and images ------------------------------------------------------------------------------
    ("figure.unknown-key", "unknown key `{key}` in a figure", "图片块里有未知的键 `{key}`",
     "{suggestion}expected: {keys}", "{suggestion}可用的键：{keys}"),
    ("figure.not-text", "`{key}` in a figure must be text, but received `{value}`",
     "图片块的 `{key}` 应当是文字，实际是 `{value}`",
     "write it on one line, in double quotes if need be", "写在一行里，必要时加双引号"),
    ("figure.missing-key", "a figure needs `{key}:`", "图片块需要 `{key}:`",
     "add a line `{key}: …` inside the figure block", "在图片块里加一行 `{key}: …`"),
    ("figure.bad-ratio", "`ratio` must look like 3:2, but received `{value}`",
     "`ratio` 应当写成 3:2 这样，实际是 `{value}`",
     "write the width and height of the frame, e.g. `ratio: \"4:3\"`", "写出图框的宽和高，例如 `ratio: \"4:3\"`"),
    ("image.web-address", "image `{image}` is a web address; images are never fetched",
     "图片 `{image}` 是网址；图片不会从网上下载",
     "download the image into the publication's images/ folder and name that file",
     "把图片下载到出版物的 images/ 文件夹里，再写那个文件名"),
    ("image.outside", "image `{image}` is outside the publication folder", "图片 `{image}` 在出版物文件夹之外",
     "put the image in the publication's images/ folder (a link pointing out is refused too)",
     "把图片放进出版物的 images/ 文件夹（指向外面的链接也不行）"),
    ("image.missing", "image `{image}` is missing: a placeholder frame is shown",
     "图片 `{image}` 还没有：先显示一个占位框",
     "put the photo at {path}; `publish build --strict` refuses placeholders (for the printer)",
     "把照片放到 {path}；`publish build --strict` 不接受占位框（交付印刷时用）"),
    ("image.mistyped", "image `{image}` does not exist, but `{near}` does", "图片 `{image}` 不存在，但有 `{near}`",
     "did you mean `{near}`? correct the path in the figure", "是不是 `{near}`？请改正图片块里的路径"),
    ("image.not-a-file", "image `{image}` is not a file", "图片 `{image}` 不是文件",
     "name the image file itself", "写图片文件本身的名字"),
    ("image.svg", "image `{image}` is an SVG drawing: SVG can hold scripts and links to other files",
     "图片 `{image}` 是 SVG 图形：SVG 里可以有脚本和指向其他文件的链接",
     "export it as a PNG file (at 300 dpi for print)", "把它导出为 PNG 文件（印刷用 300 dpi）"),
    ("image.not-an-image", "image `{image}` is not an image (not JPEG, PNG, GIF or WebP)",
     "图片 `{image}` 不是图片（不是 JPEG、PNG、GIF 或 WebP）",
     "replace it with a JPEG or PNG file", "换成 JPEG 或 PNG 文件"),
    ("image.wrong-ending", "image `{image}` is a {kind} file with the ending `{ending}`: readers go by the ending",
     "图片 `{image}` 是 {kind} 文件，扩展名却是 `{ending}`：阅读器按扩展名识别文件",
     "rename it to {name}", "把它改名为 {name}"),
    ("image.too-many-pixels", "image `{image}` is {width}×{height} pixels, more than {limit} million",
     "图片 `{image}` 有 {width}×{height} 像素，超过 {limit} 百万",
     "scale it down (about 3000 pixels on the long side is plenty for print)",
     "把它缩小（长边约 3000 像素就足够印刷）"),
    ("image.pixel-bomb", "image `{image}` has more than {limit} million pixels", "图片 `{image}` 超过 {limit} 百万像素",
     "scale it down (about 3000 pixels on the long side is plenty for print)",
     "把它缩小（长边约 3000 像素就足够印刷）"),
    ("image.damaged", "image `{image}` is damaged and cannot be decoded ({detail})",
     "图片 `{image}` 已损坏，无法解码（{detail}）",
     "replace it with a JPEG or PNG file", "换成 JPEG 或 PNG 文件"),

    # -- footnotes -----------------------------------------------------------------------------------------
    ("note.defined-never-called", "footnote `[^{id}]` is defined but never called",
     "脚注 `[^{id}]` 有内容，但正文里没有引用它",
     "{suggestion}put `[^{id}]` where the note mark belongs, or delete the definition",
     "{suggestion}在正文该加注的地方写 `[^{id}]`，或者删掉这条脚注"),
    ("note.defined-twice", "footnote `[^{id}]` is defined twice (first on line {first})",
     "脚注 `[^{id}]` 定义了两次（第一次在第 {first} 行）",
     "give each footnote its own id", "每条脚注用不同的 id"),
    ("note.bad-id", "the footnote id `{id}` is not a valid id", "脚注 id `{id}` 不是有效的 id",
     "use letters, digits, `-`, `_` or `.` (e.g. `[^fn-1]`)", "用字母、数字、`-`、`_` 或 `.`（例如 `[^fn-1]`）"),
    ("note.empty", "footnote `[^{id}]` has no text", "脚注 `[^{id}]` 没有内容",
     "write the note after `[^{id}]: ` on the same line", "在同一行的 `[^{id}]: ` 后面写脚注内容"),
    ("note.called-twice", "footnote `[^{id}]` is called twice (first at {first})",
     "脚注 `[^{id}]` 被引用了两次（第一次在 {first}）",
     "a note is called once; give the second call its own footnote", "一条脚注只能引用一次；给第二处另写一条脚注"),
    ("note.no-definition", "footnote `[^{id}]` has no definition", "脚注 `[^{id}]` 没有内容（找不到定义）",
     "{suggestion}add a line `[^{id}]: 注释文字` in the same file", "{suggestion}在同一文件里加一行 `[^{id}]: 注释文字`"),
    ("note.calls-note", "a footnote cannot call another footnote", "脚注里不能再引用脚注",
     "move the call out of the note, or merge the two notes", "把引用移到脚注外面，或者把两条脚注合并"),
    ("note.fullwidth-colon",
     "a full-width colon `：` after `[^{id}]`: a note definition is `[^{id}]:` with an ASCII colon",
     "`[^{id}]` 后面是全角冒号“：”：脚注定义要写成 `[^{id}]:`（半角冒号）",
     "write `[^{id}]: ` with the ASCII colon and a space (switch the input method to half-width)",
     "改成 `[^{id}]: `，半角冒号加空格（把输入法切换到半角）"),
    ("note.fullwidth-marks",
     "`{written}` is written with full-width marks ({marks}): a footnote is `[^{id}]` in ASCII",
     "`{written}` 用了全角符号（{marks}）：脚注要用半角写成 `[^{id}]`",
     "type `[^{id}]` with the input method in half-width mode", "把输入法切换到半角，输入 `[^{id}]`"),
    ("mark.fullwidth-bracket-open", "the full-width bracket `［`", "全角方括号“［”"),
    ("mark.fullwidth-bracket-close", "the full-width bracket `］`", "全角方括号“］”"),
    ("mark.fullwidth-caret", "the full-width caret `＾`", "全角脱字符“＾”"),
    ("mark.fullwidth-colon", "the full-width colon `：`", "全角冒号“：”"),
    ("mark.lenticular-open", "the bracket `【`", "方头括号“【”"),
    ("mark.lenticular-close", "the bracket `】`", "方头括号“】”"),
    ("mark.ellipsis-caret", "`……`, what a Chinese input method types for `^`", "“……”（中文输入法下按 `^` 打出的）"),

    # -- links and ids -------------------------------------------------------------------------------------
    ("link.unknown-anchor", "link to `#{target}`, but no heading or block has that id",
     "链接指向 `#{target}`，但没有标题或块用这个 id",
     "{suggestion}use the id written after a heading as `{{#id}}` (see docs/content-format.md)",
     "{suggestion}用标题后面 `{{#id}}` 里写的 id（参见 docs/content-format.md）"),
    ("link.removed", "link to `{target}` removed (its text is kept)", "已去掉指向 `{target}` 的链接（文字保留）",
     "a link may go to `#anchor`, {schemes}; link chapters to each other with `[text](#id)`",
     "链接只能指向 `#锚点` 或 {schemes}；章节之间用 `[文字](#id)` 链接"),
    ("link.removed-empty", "a link with no target removed (its text is kept)", "已去掉一个没有目标的链接（文字保留）",
     "a link may go to `#anchor`, {schemes}; link chapters to each other with `[text](#id)`",
     "链接只能指向 `#锚点` 或 {schemes}；章节之间用 `[文字](#id)` 链接"),
    ("note.link-removed", "link to `{target}` removed (its text is kept)", "已去掉指向 `{target}` 的链接（文字保留）",
     "a link may go to `#anchor`, {schemes}", "链接只能指向 `#锚点` 或 {schemes}"),
    ("id.reserved", "the id `{anchor}` is one the editions use for their own elements",
     "id `{anchor}` 是各版本自己的元素使用的",
     "choose another id (ids starting with {prefixes} are taken too)", "换一个 id（以 {prefixes} 开头的 id 也被占用）"),
    ("id.twice", "the id `{anchor}` is used twice: for this {what} and for the {first_what} at {first}",
     "id `{anchor}` 用了两次：这个{what}，以及 {first} 处的{first_what}",
     "give each chapter and heading its own id (ids like chapter-p1, figure-1, table-1 and sidebar-1 are given "
     "to paragraphs and blocks automatically)",
     "每个章节和标题用各自的 id（chapter-p1、figure-1、table-1、sidebar-1 这类 id 会自动分配给段落和块）"),

    # -- publications side by side (publish/cli.py) --------------------------------------------------------
    ("publication.same-id",
     "the id `{id}` is also the id of {other}: two publications with one id would write into one output folder",
     "id `{id}` 也是 {other} 的 id：两个出版物用同一个 id，会写进同一个输出文件夹",
     "give this publication an id of its own (and a new `identifier:`; a copy keeps the original's), "
     "e.g. with `publish new` for a fresh publication",
     "给这个出版物换一个自己的 id（还有新的 `identifier:`，复制来的文件会沿用原来的），新建出版物可以用 `publish new`"),
    ("publication.same-identifier",
     "the identifier `{identifier}` is also the identifier of {other}: readers take two books with one identifier "
     "for the same book",
     "identifier `{identifier}` 也是 {other} 的 identifier：阅读器会把同一个 identifier 的两本书当成同一本",
     "write a new one, e.g. `identifier: urn:uuid:{fresh}`", "换一个新的，例如 `identifier: urn:uuid:{fresh}`"),

    # -- the command line (publish/cli.py) -------------------------------------------------------------------
    ("cli.description", "Build the editions of the publications in content/: print PDF, screen PDF, web, EPUB 3.",
     "把 content/ 中的出版物生成各个版本：印刷 PDF、屏幕 PDF、网页版、EPUB 3。"),
    ("cli.epilog",
     "Exit status: 0 built; 1 a content problem (nothing written); 2 a usage error; 3 a rendering failure. "
     "`publish COMMAND --help` tells more.",
     "退出码：0 成功；1 内容有误（什么都没写）；2 命令用法有误；3 排版失败。"
     "`publish 命令 --help` 查看详细说明。"),
    ("cli.usage-prefix", "usage: ", "用法："),
    ("cli.positionals", "arguments", "参数"),
    ("cli.options", "options", "选项"),
    ("cli.commands", "commands", "命令"),
    ("cli.help", "show this help and exit", "显示帮助并退出"),
    ("cli.version", "show the version and exit", "显示版本并退出"),
    ("cli.lang", "the language of messages: zh or en (default: from the locale, LANG)",
     "提示信息的语言：zh 或 en（默认按系统区域设置 LANG）"),
    ("cli.content", "the content folder (default: content/ in the working folder)",
     "内容文件夹（默认：当前文件夹下的 content/）"),
    ("cli.output", "the output folder (default: output/ in the working folder)",
     "输出文件夹（默认：当前文件夹下的 output/）"),
    ("cli.quiet", "print only problems", "只显示问题"),
    ("cli.verbose", "print every step (and the full trace of a rendering failure)", "显示每一步（排版失败时显示完整调用栈）"),
    ("cli.publications", "publication ids or folders (default: every publication in the content folder)",
     "出版物的 id 或文件夹（默认：内容文件夹里的全部出版物）"),
    ("cli.edition", "build only this edition (repeatable): print, screen, web, epub; default: all four",
     "只生成这个版本（可重复）：print、screen、web、epub；默认全部四个"),
    ("cli.clean", "ignore what earlier builds left and render everything again (the result is the same)",
     "不用以前生成的缓存，全部重新排版（结果相同）"),
    ("cli.jobs", "processes for rendering (default: one per core)", "排版用的进程数（默认：每个核一个）"),
    ("cli.strict", "treat warnings as errors: refuse placeholder frames and removed links (for the printer)",
     "把警告当作错误：不接受占位框和被去掉的链接（交付印刷时用）"),
    ("cli.port", "the local port to serve on (default 8000; 0 picks a free one)",
     "本机服务端口（默认 8000；0 表示自动选一个空闲端口）"),
    ("cli.build", "build the editions (incremental: only what an edit affects)", "生成各个版本（增量：只重做修改影响到的部分）"),
    ("cli.build.description",
     "Build every edition of the publications (print PDF, screen PDF, web, EPUB) into the output folder. "
     "Builds are incremental and always equal a clean build; a build with a content problem writes nothing.",
     "把出版物的各个版本（印刷 PDF、屏幕 PDF、网页版、EPUB）生成到输出文件夹。"
     "生成是增量的，结果总与全部重做相同；内容有误时什么都不写。"),
    ("cli.check", "validate the content, render nothing (under a second)", "检查内容，不排版（一秒以内）"),
    ("cli.check.description",
     "Read and validate every file of the publications and list every problem at once, with file, line and a "
     "fix. Nothing is rendered or written.",
     "读取并检查出版物的所有文件，一次列出全部问题，附文件、行号和修改方法。不排版，也不写任何文件。"),
    ("cli.watch", "rebuild on save, serve on 127.0.0.1 with live reload and a chapter preview",
     "保存即重新生成，在 127.0.0.1 上提供自动刷新的预览和章节预览"),
    ("cli.watch.description",
     "Build, then serve the output folder on 127.0.0.1 and rebuild on every save; the browser reloads by itself. "
     "The chapter being edited is previewed at /<id>/preview. Stop with Ctrl-C.",
     "先生成，再在 127.0.0.1 上提供输出文件夹，每次保存都重新生成，浏览器自动刷新。"
     "正在编辑的章节在 /<id>/preview 预览。按 Ctrl-C 停止。"),
    ("cli.proof", "contact sheets of the PDFs (page images) in output/<id>/proof/",
     "生成 PDF 的样张（页面缩略图），放在 output/<id>/proof/"),
    ("cli.proof.description",
     "Make contact sheets of the print PDF, building the PDFs first when they are missing.",
     "生成印刷 PDF 的样张；PDF 还没有时先生成 PDF。"),
    ("cli.new", "start a new publication from a layout's starter files", "用版式的起始文件新建一个出版物"),
    ("cli.new.description",
     "Create content/<id>/ with a publication.yaml (a fresh identifier), chapters that show the content "
     "format, and an images/ folder. It builds at once.",
     "新建 content/<id>/，包含 publication.yaml（新生成的 identifier）、演示内容格式的章节和 images/ 文件夹。"
     "建好即可生成。"),
    ("cli.new.id", "the new publication's id (its folder and output folder name), e.g. annual-report-2025",
     "新出版物的 id（文件夹和输出文件夹的名字），例如 annual-report-2025"),
    ("cli.new.layout", "report (a book with covers and contents) or article (a short form); default report",
     "report（有封面和目录的报告）或 article（短文）；默认 report"),
    ("cli.new.title", "the title (default: one to replace)", "标题（默认：一个待替换的标题）"),
    ("cli.usage-error", "{prog}: error: {problem}", "{prog}：错误：{problem}"),
    ("cli.usage-hint", "`{prog} --help` lists the options", "`{prog} --help` 列出可用的选项"),
    ("cli.unknown-argument", "unrecognised arguments: {arguments}{where}", "无法识别的参数：{arguments}{where}"),
    ("cli.unknown-argument-where", " (they do not belong to `{command}`)", "（它们不属于 `{command}` 命令）"),
    ("cli.unknown-command", "no command `{word}`; the commands are {commands}{suggestion}",
     "没有 `{word}` 这个命令；可用的命令：{commands}{suggestion}"),
    ("cli.suggestion", " ({suggestion})", "（{suggestion}）"),
    ("cli.bad-choice", "{option}: `{value}` is not one of {choices}{suggestion}",
     "{option}：`{value}` 不是 {choices} 之一{suggestion}"),
    ("cli.bad-number", "`{value}` is not a whole number", "`{value}` 不是整数"),
    ("cli.missing-value", "{option} needs a value", "{option} 需要一个值"),
    ("cli.missing-argument", "the {arguments} is missing", "缺少 {arguments}"),
    ("cli.no-command", "a command is needed: {commands}", "需要一个命令：{commands}"),
    ("cli.jobs-positive", "must be 1 or more, but received {value}", "至少是 1，实际是 {value}"),
    ("cli.port-range", "must be between 0 and 65535, but received {value}", "必须在 0 到 65535 之间，实际是 {value}"),
    ("cli.no-such-publication", "no publication `{name}` in {content} (available: {available}){suggestion}",
     "{content} 里没有出版物 `{name}`（现有：{available}）{suggestion}"),
    ("cli.none", "none", "无"),
    ("cli.no-publications",
     "no publication found in {content} (a folder with a publication.yaml); `publish new <id>` starts one",
     "{content} 里没有出版物（含 publication.yaml 的文件夹）；可以用 `publish new <id>` 新建一个"),
    ("cli.content-problems", "{root}: {count} problem(s); nothing was written, {editions}",
     "{root}：{count} 个问题；什么都没有写，{editions}"),
    ("cli.editions-unchanged", "the previous editions are unchanged", "之前生成的版本保持不变"),
    ("cli.editions-replaced",
     "it stopped while replacing the editions: {names} already new, the rest not yet; the next build completes "
     "the set before anything else",
     "替换版本时中断：{names} 已是新的，其余尚未替换；下次生成会先补全整套版本"),
    ("cli.strict-warnings", "{root}: {count} warning(s), refused by --strict; nothing was written",
     "{root}：{count} 个警告，因为 --strict 而拒绝；什么都没有写"),
    ("cli.proof-changed", "the pages the last build changed, as they were beside as they are, the changes marked",
     "上次生成改动过的页面：改前与改后并排，改动处标出"),
    ("cli.proof-nothing-changed", "no page changed in the last build (or there was no earlier build to compare with)",
     "上次生成没有改动任何页面（或此前没有可比较的版本）"),
    ("cli.interrupted", "interrupted; {editions}", "已中断；{editions}"),
    ("cli.rendering-failed",
     "{root}: rendering failed: {error}\n    (run with --verbose for the full trace); {editions}",
     "{root}：排版失败：{error}\n    （加 --verbose 查看完整调用栈）；{editions}"),
    ("cli.cannot-write",
     "{root}: cannot write {path} ({reason}); make that folder writable, or remove it (the cache is made again); "
     "{editions}",
     "{root}：无法写入 {path}（{reason}）；请让该文件夹可写，或删除它（缓存会重新生成）；{editions}"),
    ("cli.done", "done in {seconds} s", "完成，用时 {seconds} 秒"),
    ("cli.check-ok", "ok: {documents} documents, {notes} notes, {figures} figures",
     "没有问题：{documents} 个文档，{notes} 条脚注，{figures} 幅图片"),
    ("cli.new.bad-id", "`{id}` cannot be a publication id: use lower-case letters, digits and hyphens, "
                       "starting with a letter or digit (e.g. annual-report-2025)",
     "`{id}` 不能做出版物 id：只能用小写字母、数字和连字符，以字母或数字开头（例如 annual-report-2025）"),
    ("cli.new.exists", "{folder} already exists; choose another id, or edit that publication",
     "{folder} 已经存在；换一个 id，或者直接编辑那个出版物"),
    ("cli.new.id-taken", "the id `{id}` is already the id of {other}", "id `{id}` 已经是 {other} 的 id"),
    ("watch.serving", "serving {url} — watching {folders}; Ctrl-C stops",
     "已在 {url} 提供预览 — 监视 {folders}；按 Ctrl-C 停止"),
    ("watch.cannot-serve", "cannot serve on {address}: {reason}", "无法在 {address} 上提供服务：{reason}"),
    ("watch.stopped", "stopped watching", "已停止监视"),
    ("watch.preview-laying-out", "laying out {part}", "正在排版 {part}"),
    ("watch.preview-pages", "{document}: {count} pages ({seconds} s)", "{document}：{count} 页（{seconds} 秒）"),
    ("watch.preview-failed", "preview of {document} failed: {error}", "{document} 的预览失败：{error}"),
    ("watch.page.title", "publish watch", "publish 监视"),
    ("watch.page.web", "web edition", "网页版"),
    ("watch.page.preview", "chapter preview", "章节预览"),
    ("watch.page.reload", "Pages reload when a save changes them.", "保存后，受影响的页面会自动刷新。"),
    ("watch.page.preview-title", "Preview", "预览"),
    ("watch.page.preview-waiting", "shown once a chapter is saved", "保存一个章节后显示"),
    ("watch.page.no-preview", "no preview yet: save a chapter", "还没有预览：请保存一个章节"),
    ("cli.new.created",
     "created {folder} ({layout} layout); next: `publish check {id}`, then `publish build {id}`",
     "已新建 {folder}（{layout} 版式）；下一步：`publish check {id}`，然后 `publish build {id}`"),
)
