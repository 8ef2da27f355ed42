"""What an operator reads: the README's tables render, every setting and console option is
documented, `.env.example` lists every setting, the systemd unit verifies, LICENSE is the MIT
pyproject declares and CHANGELOG.md has upgrade notes."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from bot import __version__
from bot.console import build_parser as console_parser
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def cells(line: str) -> list[str]:
    """A table row's cells; `\\|` is a pipe inside a cell."""
    inner = line.strip().removeprefix("|").removesuffix("|")
    return [c.strip() for c in re.split(r"(?<!\\)\|", inner)]


def tables(markdown: str) -> list[list[str]]:
    """Every run of lines starting with '|' outside code blocks."""
    found: list[list[str]] = []
    current: list[str] = []
    in_code = False
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("```"):
            in_code = not in_code
        if not in_code and line.startswith("|"):
            current.append(line)
        elif current:
            found.append(current)
            current = []
    return found


def test_every_readme_table_has_a_header_a_separator_and_even_rows() -> None:
    found = tables(README)
    assert len(found) >= 4
    for table in found:
        header = cells(table[0])
        assert len(table) >= 3, f"a table needs a header, a separator and rows: {table[0]}"
        assert all(re.fullmatch(r":?-{3,}:?", c) for c in cells(table[1])), (
            f"rows without a header (a blank line inside a table?): {table[0]}"
        )
        for row in table[2:]:
            assert len(cells(row)) == len(header), row


def readme_table_after(heading: str) -> list[list[str]]:
    section = README.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return [cells(row) for row in tables(section)[0][2:]]


def test_the_settings_table_documents_every_setting() -> None:
    documented = {
        name.strip("`") for row in readme_table_after("Settings") for name in row[0].split(" / ")
    }
    expected = {name.upper() for name in Settings.model_fields}
    assert expected <= documented, expected - documented
    assert documented <= expected, documented - expected


def test_env_example_lists_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z_]+)=", text, re.M))
    assert listed == {name.upper() for name in Settings.model_fields}


def test_every_console_option_is_documented() -> None:
    options = {
        flag
        for action in console_parser()._actions
        for flag in action.option_strings
        if flag.startswith("--") and flag != "--help"
    }
    console_rows = [cells(r) for t in tables(README) for r in t if r.startswith("| `--")]
    documented = {row[0].strip("`").split()[0] for row in console_rows}
    assert options == documented


def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed here")
    unit = (ROOT / "deploy" / "rls-companion.service").read_text()
    assert "ExecStart=/opt/rls-companion/.venv/bin/rls-companion run" in unit
    # Verified as installed in this checkout, whose virtualenv holds the real executable.
    if not (ROOT / ".venv" / "bin" / "rls-companion").exists():
        pytest.skip("no .venv/bin/rls-companion in this checkout to stand in for /opt")
    checked = tmp_path / "rls-companion.service"
    checked.write_text(unit.replace("/opt/rls-companion", str(ROOT)))
    result = subprocess.run(
        [tool, "verify", str(checked)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # warnings too: an unknown key is ignored


def test_license_is_the_mit_text_pyproject_declares() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == {"text": "MIT"}
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text


def test_the_changelog_has_upgrade_notes_and_the_current_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text()
    assert f"## {__version__}" in text
    unreleased = text.split("## Unreleased", 1)[1].split("\n## ", 1)[0]
    assert "### Upgrade notes" in unreleased
