"""The command line: subcommands with their own options and help, build.py as it always was, `publish new`.

Most tests run `python -m publish` or `build.py` in a process of their own, as
an editor does, and read what it printed and its exit status.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from publish.load import load_publication
from publish.messages import language_from_environment

from .conftest import ARTICLE

PROJECT = Path(__file__).resolve().parent.parent
COMMAND_OPTIONS = {  # what each command's help must list, and an option it must refuse
    "build": (("--edition", "--clean", "--jobs", "--strict", "--content", "--output"), "--port"),
    "check": (("--strict", "--content", "--output"), "--port"),
    "watch": (("--edition", "--port", "--jobs"), "--clean"),
    "proof": (("--jobs", "--output"), "--edition"),
    "new": (("--layout", "--title", "--content"), "--output"),
}


def run(args: list[str], cwd: Path = PROJECT, script: str | None = None, **env) -> subprocess.CompletedProcess:
    """`python -m publish ARGS` (or `python SCRIPT ARGS`) in `cwd`, in English unless `env` says otherwise."""
    environment = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    environment.update({"LANG": "C.UTF-8", "PYTHONPATH": str(PROJECT), **env})
    command = [sys.executable, str(PROJECT / script)] if script else [sys.executable, "-m", "publish"]
    return subprocess.run(command + args, cwd=cwd, env=environment, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("command", list(COMMAND_OPTIONS))
def test_each_command_has_its_own_help_and_refuses_the_options_of_others(command, tmp_path):
    listed, foreign = COMMAND_OPTIONS[command]
    shown = run([command, "--help"])
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"usage: publish {command}")
    for option in listed:
        assert option in shown.stdout, (option, shown.stdout)
    assert foreign not in shown.stdout
    words = [command] + (["demo"] if command == "new" else []) + [foreign, "1"]
    refused = run(words, cwd=tmp_path)
    assert refused.returncode == 2
    assert f"unrecognised arguments: {foreign}" in refused.stderr
    assert f"(they do not belong to `{command}`)" in refused.stderr
    assert f"`publish {command} --help` lists the options" in refused.stderr
    assert not (tmp_path / "output").exists() and not (tmp_path / "content").exists()


def test_the_top_level_help_lists_every_command_and_the_exit_statuses():
    shown = run(["--help"])
    assert shown.returncode == 0
    for command in COMMAND_OPTIONS:
        assert f"    {command} " in shown.stdout
    assert "1 a content problem" in shown.stdout and "2 a usage error" in shown.stdout


@pytest.mark.parametrize("args, words", [
    (["biuld"], "no command `biuld`; the commands are build, check, watch, proof, new (did you mean `build`?)"),
    ([], "a command is needed: build, check, watch, proof, new"),
    (["build", "--edition", "pdf"], "--edition: `pdf` is not one of print, screen, web, epub"),
    (["build", "--jobs", "0"], "--jobs/-j: must be 1 or more, but received 0"),
    (["build", "--jobs", "two"], "--jobs/-j: `two` is not a whole number"),
    (["watch", "--port", "70000"], "--port: must be between 0 and 65535, but received 70000"),
    (["check", "--lang", "fr"], "--lang: `fr` is not one of en, zh"),
    (["new"], "the ID is missing"),
    (["new", "Annual_Report"], "`Annual_Report` cannot be a publication id"),
])
def test_usage_errors_exit_2_with_what_was_expected(args, words, tmp_path):
    result = run(args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, words", [
    (["biuld", "--lang", "zh"], "publish：错误：没有 `biuld` 这个命令；可用的命令：build、check、watch、proof、new（是不是 `build`？）"),
    (["check", "--clean", "--lang", "zh"], "publish：错误：无法识别的参数：--clean（它们不属于 `check` 命令）"),
    (["build", "--jobs", "0", "--lang", "zh"], "--jobs/-j: 至少是 1，实际是 0"),
])
def test_usage_errors_in_chinese(args, words, tmp_path):
    result = run(args, cwd=tmp_path)
    assert result.returncode == 2 and words in result.stderr, result.stderr


def test_help_in_chinese_from_the_locale_and_english_when_asked():
    chinese = run(["check", "--help"], LANG="zh_CN.UTF-8")
    assert chinese.returncode == 0
    assert chinese.stdout.startswith("用法：publish check") and "把警告当作错误" in chinese.stdout
    english = run(["check", "--help", "--lang", "en"], LANG="zh_CN.UTF-8")
    assert english.stdout.startswith("usage: publish check") and "treat warnings as errors" in english.stdout


@pytest.mark.parametrize("environment, language", [
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "zh_TW.UTF-8"}, "zh"),
    ({"LANG": "zh"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({}, "en"),
    ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),  # LC_MESSAGES overrides LANG
    ({"LC_ALL": "C", "LC_MESSAGES": "zh_CN.UTF-8"}, "en"),  # LC_ALL overrides both
    ({"LC_ALL": "zh_CN.UTF-8", "LANG": "C"}, "zh"),
    ({"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, "zh"),  # set but empty counts as unset, as POSIX says
])
def test_the_language_follows_the_locale_as_posix_orders_it(environment, language):
    assert language_from_environment(environment) == language


# -- build.py, as the README has always shown it --------------------------------------------------------

@pytest.mark.parametrize("args, first_line", [
    (["--help"], "usage: build.py [-h]"),
    (["check", "--help"], "usage: build.py check"),
    (["watch", "--help"], "usage: build.py watch"),
    (["proof", "--help"], "usage: build.py proof"),
    (["--edition", "web", "--help"], "usage: build.py build"),  # a first word that is no command: build
    (["gsi-article-2024", "--help"], "usage: build.py build"),
])
def test_build_py_takes_the_same_commands_and_builds_by_default(args, first_line):
    result = run(args, script="build.py")
    assert result.returncode == 0 and result.stdout.startswith(first_line), result.stdout + result.stderr


def test_build_py_check_and_a_publication_by_folder_or_id(tmp_path):
    checked = run(["check", "gsi-article-2024"], script="build.py", cwd=tmp_path)
    assert checked.returncode == 0 and "[gsi-article-2024] check  ok: 1 documents" in checked.stderr
    refused = run(["check", "--port", "1"], script="build.py", cwd=tmp_path)
    assert refused.returncode == 2 and "do not belong to `check`" in refused.stderr
    # The content folder is the one beside build.py, from any working folder.
    assert not (tmp_path / "output").exists()


def test_build_py_builds_one_edition_of_a_publication_given_by_path(tmp_path):
    output = tmp_path / "output"
    built = run([str(ARTICLE), "--edition", "web", "--output", str(output), "-q"], script="build.py")
    assert built.returncode == 0, built.stderr
    assert (output / "gsi-article-2024" / "web" / "index.html").is_file()
    assert not (output / "gsi-article-2024" / "print.pdf").exists()


# -- publish new -------------------------------------------------------------------------------------------

def test_publish_new_then_build_makes_every_edition(tmp_path):
    """`publish new demo && publish build demo` in an empty folder."""
    created = run(["new", "demo"], cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert "created content/demo (report layout)" in created.stderr
    root = tmp_path / "content" / "demo"
    assert sorted(p.name for p in root.iterdir()) == ["01-foreword.md", "02-chapter.md", "images",
                                                      "publication.yaml"]
    built = run(["build", "demo", "--jobs", "1"], cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "warning:" not in built.stderr and "警告" not in built.stderr  # the starter content is clean
    folder = tmp_path / "output" / "demo"
    for name in ("print.pdf", "screen.pdf", "demo.epub", "web/index.html"):
        assert (folder / name).is_file(), name
    model = load_publication(root)
    assert model.meta.id == "demo" and model.layout == "report" and len(model.footnotes) == 2
    with pikepdf.open(folder / "screen.pdf") as pdf:
        assert len(pdf.pages) >= 4 and str(pdf.open_metadata().get("dc:title", "")) == "报告标题（副标题）"


def test_publish_new_article_gets_a_fresh_identifier_and_its_title(tmp_path):
    first = run(["new", "short-one", "--layout", "article", "--title", "一篇短文"], cwd=tmp_path)
    second = run(["new", "short-two", "--layout", "article"], cwd=tmp_path)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    one, two = (load_publication(tmp_path / "content" / name) for name in ("short-one", "short-two"))
    assert one.layout == "article" and one.meta.title == "一篇短文" and one.documents[0].title == "一篇短文"
    assert one.meta.identifier.startswith("urn:uuid:") and one.meta.identifier != two.meta.identifier
    checked = run(["check"], cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr  # two publications made by `new` never share an identifier


def test_publish_new_refuses_an_existing_folder_or_id(tmp_path):
    assert run(["new", "demo"], cwd=tmp_path).returncode == 0
    again = run(["new", "demo"], cwd=tmp_path)
    assert again.returncode == 2 and "content/demo already exists" in again.stderr
    (tmp_path / "content" / "demo").rename(tmp_path / "content" / "renamed")
    taken = run(["new", "demo", "--lang", "zh"], cwd=tmp_path)
    assert taken.returncode == 2 and "id `demo` 已经是 content/renamed/publication.yaml 的 id" in taken.stderr
    assert sorted(p.name for p in (tmp_path / "content").iterdir()) == ["renamed"]
