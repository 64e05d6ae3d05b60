"""The README opens with a Quick start of exactly two commands, and .ci/run uses the second."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def quick_start() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the Quick start has a shell block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_two_commands() -> None:
    first, second = quick_start()
    assert first.startswith("python3 -m venv .venv")
    assert ".venv/bin/kompass" in first
    assert second.startswith("python3 -m venv .venv")
    assert second.endswith(".venv/bin/pytest")


def test_the_quick_start_comes_first() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    headings = re.findall(r"^## .*$", text, re.M)
    assert headings[0] == "## Quick start"


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "sed -n '/^## Quick start/" in ci
    assert 'bash -c "$test_command"' in ci
