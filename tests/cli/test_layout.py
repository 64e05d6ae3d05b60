"""The engine stays free of any UI; the command line works as a person would use it."""

from __future__ import annotations

import ast
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from kompass_tui import __version__
from kompass_tui.cli import app

ROOT = Path(__file__).resolve().parents[2]
UI_PACKAGES = ("textual", "kompass_tui", "rich", "typer")


def test_importing_the_engine_imports_no_ui() -> None:
    code = (
        "import sys, sporreskjema, sporreskjema.engine, sporreskjema.cldr, sporreskjema.extract\n"
        "sporreskjema.load_builtin()\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {UI_PACKAGES!r})\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_engine_module_names_a_ui_package() -> None:
    for path in (ROOT / "sporreskjema").rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in UI_PACKAGES, f"{path}: imports {name}"


def invoke(args: list[str], **kwargs: Any) -> Result:
    """Run the command line as a person would; a crash fails the test with its traceback.

    CliRunner catches every exception into ``result.exception`` and gives exit code 1, so
    without this a crash would pass a test that expects a failing exit."""
    result = CliRunner().invoke(app, args, **kwargs)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(
            f"{args}: crashed with {result.exception!r}\n"
            + "".join(traceback.format_exception(*result.exc_info))  # type: ignore[misc]
        )
    return result


def test_version() -> None:
    result = invoke(["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"kompass {__version__}"


def test_help_lists_the_commands() -> None:
    result = invoke(["--help"], env={"KOMPASS_LOCALE": "en"})
    assert result.exit_code == 0
    assert "questionnaire" in result.output


def test_unknown_command_is_one_clear_error() -> None:
    result = invoke(["frobnicate"], env={"KOMPASS_LOCALE": "en"})
    assert result.exit_code == 2  # a usage error, as Click gives it
    assert "frobnicate" in result.output
    assert "Traceback" not in result.output


def test_the_installed_command_runs() -> None:
    """The console script a person types, in a real process."""
    script = Path(sys.executable).with_name("kompass")
    result = subprocess.run(
        [str(script), "questionnaire", "check"], capture_output=True, text=True, check=False,
        env={"KOMPASS_LOCALE": "en", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout
