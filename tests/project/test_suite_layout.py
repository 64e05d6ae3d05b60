"""The test suite's own rules (tests/README.md): no test module imports another test module or
a conftest (what is shared lives in tests/support or in a fixture), and every stored snapshot
belongs to a test that still compares it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _imported(source: str, module: str) -> set[str]:
    """The modules that the code ``source`` of ``module`` imports (relative ones resolved)."""
    package = module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            imported = ".".join([*base, *([node.module] if node.module else [])])
            found.add(imported)
            # `from tests.ui import test_x` imports a module too
            found.update(f"{imported}.{alias.name}" for alias in node.names)
    return found


def _is_test_or_conftest(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return module.split(".")[0] == "tests" and (last.startswith("test_") or last == "conftest")


def test_no_test_module_imports_another_or_a_conftest() -> None:
    offenders = {}
    for path in sorted(TESTS.rglob("*.py")):
        if "__snapshots__" in path.parts:
            continue
        imported = _imported(path.read_text("utf-8"), _module_name(path))
        if wrong := sorted(filter(_is_test_or_conftest, imported)):
            offenders[str(path.relative_to(ROOT))] = wrong
    assert not offenders, f"import from tests/support or use a fixture instead: {offenders}"


def test_the_rule_sees_every_way_of_writing_such_an_import() -> None:
    written = [
        "from tests.ui.test_kiosk_pilot import stored",
        "import tests.e2e.test_kiosk_terminal",
        "from tests.ui import test_review_pilot",
        "from .test_kiosk_search import SIZE",
        "from ..conftest import TODAY",
        "from tests.support.kiosk_pilot import stored",
    ]
    imported = _imported("\n".join(written), "tests.ui.test_sample")
    assert sorted(filter(_is_test_or_conftest, imported)) == [
        "tests.conftest",
        "tests.e2e.test_kiosk_terminal",
        "tests.ui.test_kiosk_pilot",
        "tests.ui.test_kiosk_search",
        "tests.ui.test_review_pilot",
    ]


def test_support_modules_are_not_collected_as_tests() -> None:
    assert not [p.name for p in (TESTS / "support").glob("test_*.py")]


def test_every_snapshot_belongs_to_a_test_beside_it() -> None:
    """pytest-textual-snapshot keeps a picture at ``<test's folder>/__snapshots__/<module>/
    <test name>[<parameters>].svg``. Under pytest-xdist syrupy does not report unused pictures,
    so a test moved without its pictures, or renamed, would leave them behind unnoticed (and
    its own would be missing, which fails). Each picture here names a module beside its
    ``__snapshots__`` folder and a test function in it."""
    pictures = sorted(TESTS.rglob("__snapshots__/*/*.svg"))
    assert len(pictures) > 100, "the snapshots were not found"
    orphans = []
    for picture in pictures:
        module = picture.parent.parent.parent / f"{picture.parent.name}.py"
        function = re.split(r"[\[.]", picture.name, maxsplit=1)[0]
        defined = (
            {
                node.name
                for node in ast.walk(ast.parse(module.read_text("utf-8")))
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            }
            if module.is_file()
            else set()
        )
        if function not in defined:
            orphans.append(str(picture.relative_to(TESTS)))
    assert not orphans, f"pictures no test compares: {orphans}"
