"""The ``kompass`` command's help speaks the user's language: its own texts and Typer's
panel titles and hints (through the standard gettext module), run as the real program."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from kompass_tui.cli.typer_words import TYPER_WORDS
from sporreskjema import translator

KOMPASS = Path(sys.executable).with_name("kompass")


def kompass(*args: str, locale: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KOMPASS_LOCALE": locale, "COLUMNS": "100", "NO_COLOR": "1"}
    env.pop("LANGUAGE", None)
    return subprocess.run(
        [str(KOMPASS), *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_typer_still_asks_gettext_for_every_word_marked() -> None:
    """A newer Typer that words them differently would leave them in English: this says so."""
    source = "\n".join(
        path.read_text("utf-8") for path in Path(typer.__file__).parent.rglob("*.py")
    )
    assert "from gettext import gettext as _" in source
    missing = [word for word in TYPER_WORDS if f'_("{word}")' not in source]
    assert missing == []


@pytest.mark.parametrize("locale", ["nb", "uk", "ar"])
def test_help_is_in_the_user_s_language(locale: str) -> None:
    tr = translator(locale)
    result = kompass("--help", locale=locale)
    assert result.returncode == 0, result.stderr
    for text in (
        "Commands",
        "Options",
        "Start the self-registration kiosk.",
        "Usage:",
        "Show this message and exit.",
    ):
        assert tr.gettext(text) != text  # translated …
        assert tr.gettext(text) in result.stdout  # … and shown so
        assert text not in result.stdout
    export = kompass("export", "--help", locale=locale)
    assert tr.gettext("[required]") in export.stdout
    assert (
        tr.gettext("Export records for the municipal system; reviewed records become exported.")
        in export.stdout
    )


def test_no_command_s_help_shows_python_types() -> None:
    """Typer shows each option's Python type; a flag shows none, another a plain placeholder
    (``<bool>`` and ``<int range>`` read as code to a caseworker). Through Typer's runner: the
    same help as the program's (the tests above run the program), without starting it for
    each of some thirty commands."""
    from typer.testing import CliRunner

    from kompass_tui.cli import _COMMANDS
    from kompass_tui.cli import app as cli

    commands = [[name] for name, _function, _help in _COMMANDS]
    commands += [
        ["user", "add"],
        ["db", "upgrade"],
        ["audio", "render"],
        ["questionnaire", "check"],
    ]
    env = {"KOMPASS_LOCALE": "en", "COLUMNS": "100", "NO_COLOR": "1"}
    helps = {}
    for command in commands:
        result = CliRunner().invoke(cli, [*command, "--help"], env=env)
        assert result.exit_code == 0, (command, result.output)
        helps[command[0]] = result.output
        for code in ("<bool>", "<str>", "<int", "<path>", "list["):
            assert code not in result.output, (command, code)
    assert "N [x>=0]" in helps["list"]  # --offset: a number, at least 0
    assert "TEXT" in helps["list"]  # --search


def test_a_usage_error_says_where_to_find_help_in_the_user_s_language() -> None:
    result = kompass("export", locale="nb")
    assert result.returncode == 2
    assert "Feil" in result.stderr
    assert "Prøv 'kompass export --help' for å få hjelp." in result.stderr
