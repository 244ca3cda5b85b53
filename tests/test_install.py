"""The package installed as a user installs it: a wheel, not the repository.

A wheel is built from a copy of the repository's sources, installed (not
editable) into a fresh virtual environment after its dependencies, taken
from requirements.lock with their hashes checked, and its `publish` command
builds the article from a folder that is not the repository. The editions
must equal, byte for byte, those the repository's own code builds: the
templates and styles shipped inside the wheel are the repository's, and the
locked versions are the ones the code is tested with.

It takes about a minute (most of it pip; PyPI must be reachable, and pip's
cache makes a second run faster).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from publish.pipeline import Log, build_publication

from .conftest import ARTICLE

PROJECT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "publish", "templates", "styles")
EPOCH = "1700000000"


def normalised(name: str) -> str:
    """A package's name as pip compares it, without the extras a lock entry may name (`fonttools[woff]`)."""
    return re.sub(r"[-_.]+", "-", name.split("[", 1)[0]).lower()


def runtime_packages() -> set[str]:
    """The names of what the package needs to run: pyproject.toml's dependencies and theirs, extras followed,
    read from the installed distributions (whose versions are the lock's)."""
    with (PROJECT / "pyproject.toml").open("rb") as handle:
        pending = [Requirement(d) for d in tomllib.load(handle)["project"]["dependencies"]]
    seen: set[tuple[str, tuple]] = set()
    while pending:
        requirement = pending.pop()
        key = (normalised(requirement.name), tuple(sorted(requirement.extras)))
        if key in seen:
            continue
        seen.add(key)
        for text in metadata.requires(requirement.name) or []:
            needed = Requirement(text)
            wanted = needed.marker is None or any(needed.marker.evaluate({"extra": extra})
                                                  for extra in ("", *requirement.extras))
            if wanted:
                needed.marker = None  # evaluated here, for the extras of the one that needs it
                pending.append(needed)
    return {name for name, _ in seen}


def runtime_lock(target: Path) -> Path:
    """requirements.lock's entries (version and hashes) for the packages needed at run time only."""
    needed = runtime_packages()
    entries = re.split(r"\n(?=[A-Za-z0-9])", (PROJECT / "requirements.lock").read_text(encoding="utf-8"))
    kept = [entry for entry in entries if normalised(entry.split("==", 1)[0]) in needed]
    assert {normalised(entry.split("==", 1)[0]) for entry in kept} == needed, "a run-time package is not locked"
    target.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return target


def quiet_environment(**extra) -> dict[str, str]:
    """The environment of the installed command: the press profile setup built for the repository
    (an installed package is given one by PUBLISH_PRESS_PROFILE, as docs/press.md says)."""
    from publish.render.press import press_profile_path
    extra = {"PUBLISH_PRESS_PROFILE": str(press_profile_path()), **extra}
    """No PYTHONPATH: the installed package must find everything itself, never the repository."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LC_ALL", "LC_MESSAGES")}
    return {**env, "LANG": "C.UTF-8", "SOURCE_DATE_EPOCH": EPOCH, **extra}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The `bin/` folder of a fresh virtual environment with the wheel and the locked dependencies installed."""
    folder = tmp_path_factory.mktemp("installed")
    sources = folder / "sources"
    sources.mkdir()
    for name in SOURCES:  # built from a copy: the build leaves nothing in the repository
        if (PROJECT / name).is_dir():
            shutil.copytree(PROJECT / name, sources / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(PROJECT / name, sources / name)
    env = quiet_environment()
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(folder / "wheel"),
                    str(sources)], check=True, env=env, timeout=600, cwd=folder)
    [wheel] = (folder / "wheel").glob("publish-*.whl")
    venv.create(folder / "venv", with_pip=True)
    python = folder / "venv" / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--require-hashes", "-r",
                    str(runtime_lock(folder / "runtime.lock"))], check=True, env=env, timeout=900, cwd=folder)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, env=env,
                   timeout=600, cwd=folder)
    return folder / "venv" / "bin"


def edition_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_wheel_ships_templates_styles_and_starters_and_uses_its_own(installed):
    found = subprocess.run([str(installed / "python"), "-c",
                            "import publish, publish.paths as p, publish.cli as c; "
                            "print(publish.__file__); print(p.TEMPLATES); print(p.STYLES); print(c.STARTERS)"],
                           capture_output=True, text=True, env=quiet_environment(), cwd=installed, check=True)
    package, templates, styles, starters = (Path(line) for line in found.stdout.split())
    site = installed.parent / "lib"
    for path in (package, templates, styles, starters):
        assert site in path.parents and PROJECT not in path.parents, path
    assert (templates / "book" / "part.html").is_file() and (styles / "tokens.css").is_file()
    assert (starters / "report" / "publication.yaml").is_file()
    assert (templates / "blocks.html").read_bytes() == (PROJECT / "templates" / "blocks.html").read_bytes()


def test_the_installed_command_builds_the_article_from_another_folder_as_the_repository_does(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(ARTICLE, elsewhere / "content" / ARTICLE.name)
    run = subprocess.run([str(installed / "publish"), "build", ARTICLE.name, "--jobs", "1"], cwd=elsewhere,
                         env=quiet_environment(), capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    built = edition_files(elsewhere / "output" / ARTICLE.name)
    assert {"print.pdf", "screen.pdf", f"{ARTICLE.name}.epub", "web/index.html"} <= set(built)

    # The repository's code, in this process, on the same content at the same time stamp.
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        build_publication(ARTICLE, output=tmp_path / "reference", log=Log(quiet=True), jobs=1)
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    reference = edition_files(tmp_path / "reference" / ARTICLE.name)
    assert built.keys() == reference.keys()
    assert [name for name in reference if built[name] != reference[name]] == []


def test_publish_new_then_publish_build_with_the_installed_command(installed, tmp_path):
    publish = str(installed / "publish")
    created = subprocess.run([publish, "new", "demo"], cwd=tmp_path, env=quiet_environment(),
                             capture_output=True, text=True, timeout=120)
    assert created.returncode == 0, created.stderr
    built = subprocess.run([publish, "build", "demo", "--jobs", "1"], cwd=tmp_path, env=quiet_environment(),
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "output" / "demo" / "print.pdf").is_file()
    assert (tmp_path / "output" / "demo" / "demo.epub").is_file()
