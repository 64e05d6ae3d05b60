"""The engine stays free of any UI; the command line works as a person would use it."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
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


def test_the_command_line_loads_no_database_code_until_a_command_needs_it() -> None:
    """`kompass --help`, and every command's, is shown without SQLAlchemy (a third of a
    second at every start): the commands open the database when they run."""
    code = (
        "import sys, kompass_tui.cli\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel'))\n"
        "print(bad[:5])\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


# That no engine module names a UI package, and the whole layering of kompass_tui, are
# import-linter contracts (pyproject.toml, `lint-imports` in .ci/run).


#: What is not UI in kompass_tui: the command line (which starts the apps) and what is below it.
NOT_UI = ("cli", "storage", "exchange", "__main__.py")


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import a module runs (at its top or in a function), leaving out those under
    ``if TYPE_CHECKING:``, which only the type checker reads."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                yield from _runtime_imports(child)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _runtime_imports(node)


def _apps_in(module_name: str) -> set[str]:
    """The Textual apps a module of kompass_tui defines (empty for another module)."""
    from textual.app import App

    if module_name.split(".")[0] != "kompass_tui" or module_name.endswith("__main__"):
        return set()
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return set()
    return {
        name
        for name, value in vars(module).items()
        if isinstance(value, type) and issubclass(value, App) and value.__module__ == module_name
    }


def test_no_screen_or_widget_imports_an_app_at_run_time() -> None:
    """Screens and widgets reach their app through a typed host (kompass_tui.widgets.host),
    never by importing it: an app imports its screens, and a screen importing its app back
    only works from inside a method, late. Only an app's own module may import another app
    (to build on it), and the command line (which starts them)."""
    offending = []
    for path in sorted((ROOT / "kompass_tui").rglob("*.py")):
        relative = path.relative_to(ROOT)
        name = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        if relative.parts[1] in NOT_UI or _apps_in(name):
            continue
        for node in _runtime_imports(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names if _apps_in(alias.name)]
            elif node.module is not None and node.level == 0:
                apps = _apps_in(node.module)
                imported = [
                    f"{node.module}.{alias.name}"
                    for alias in node.names
                    if alias.name in apps or _apps_in(f"{node.module}.{alias.name}")
                ]
            else:
                imported = []
            offending += [f"{relative}:{node.lineno} imports {what}" for what in imported]
    assert offending == []


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


def test_a_screen_reads_its_app_through_the_hosts_protocol() -> None:
    """An app that is what the protocol asks is returned as it; any other app is a TypeError
    naming what it lacks, at once (not an AttributeError somewhere later)."""
    from textual.app import App

    from kompass_tui.kiosk.app import KioskApp
    from kompass_tui.kiosk.settings import KioskSettings
    from kompass_tui.widgets.host import Host
    from kompass_tui.wizard.host import ResumeHost

    host = Host(ResumeHost)
    kiosk = KioskApp("sqlite://", KioskSettings())
    assert host.of(kiosk) is kiosk
    plain: App[None] = App()
    assert host.find(plain) is None
    with pytest.raises(
        TypeError, match="App is no ResumeHost: it lacks can_print, companion, db, finished"
    ):
        host.of(plain)
