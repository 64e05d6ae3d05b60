"""What the package declares: every import, the exact Textual, PostgreSQL as an extra, types."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kompass_tui", "sporreskjema")
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]


def requirements(extra: str | None = None) -> dict[str, Requirement]:
    listed = PROJECT["dependencies"] if extra is None else PROJECT["optional-dependencies"][extra]
    return {canonicalize_name(req.name): req for req in map(Requirement, listed)}


def imported_top_names() -> dict[str, str]:
    """Each top-level module imported by the two packages, with one file that imports it."""
    found: dict[str, str] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_every_imported_package_is_declared() -> None:
    """In the dependencies, or in an optional part that the command using it names."""
    declared = set(requirements()) | set(requirements("postgres")) | set(requirements("pdf"))
    distributions = importlib.metadata.packages_distributions()
    third_party = {
        name: where
        for name, where in imported_top_names().items()
        if name not in sys.stdlib_module_names and name not in PACKAGES
    }
    assert "textual" in third_party  # the walk found the imports
    undeclared = {
        f"{name} ({where})": distributions.get(name)
        for name, where in third_party.items()
        if not {canonicalize_name(dist) for dist in distributions.get(name, [])} & declared
    }
    assert not undeclared, f"imported but not in [project.dependencies]: {undeclared}"


def constraints() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text("utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    return pins


def test_textual_is_pinned_to_the_version_of_the_snapshots() -> None:
    """The snapshots and the overrides of Textual's private methods hold for one version."""
    (spec,) = requirements()["textual"].specifier
    assert spec.operator == "=="
    assert spec.version == constraints()["textual"]
    assert spec.version == importlib.metadata.version("textual")


def test_ci_installs_the_constrained_versions() -> None:
    """Every requirement, extras too, has an exact version in constraints.txt that fits it,
    and CI hands the file to pip before the README's test command."""
    pins = constraints()
    assert "kompass-tui" not in pins
    for extra in (None, *PROJECT["optional-dependencies"]):
        for name, req in requirements(extra).items():
            if name == "kompass-tui":
                continue
            assert name in pins, f"{name} is not in constraints.txt"
            assert req.specifier.contains(pins[name], prereleases=True), (req, pins[name])
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    exported = ci.index('export PIP_CONSTRAINT="$PWD/constraints.txt"')
    assert exported < ci.index('bash -c "$test_command"')


def test_postgresql_is_an_extra_that_dev_brings() -> None:
    assert "psycopg" not in requirements()
    assert "binary" in requirements("postgres")["psycopg"].extras
    assert requirements("dev")["kompass-tui"].extras == {"postgres", "pdf"}


def test_weasyprint_is_the_pdf_extra() -> None:
    assert "weasyprint" not in requirements()
    assert "weasyprint" in requirements("pdf")


def test_both_packages_ship_their_types() -> None:
    for package in PACKAGES:
        assert (ROOT / package / "py.typed").is_file()


# An interpreter on which `import psycopg` and `import weasyprint` fail, as when neither
# kompass-tui[postgres] nor kompass-tui[pdf] is installed.
NO_PSYCOPG = textwrap.dedent(
    """
    import importlib.abc
    import sys


    class NoExtras(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("psycopg", "psycopg_binary", "psycopg_c", "weasyprint"):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None


    sys.meta_path.insert(0, NoExtras())
    """
)
KOMPASS = "sys.argv = ['kompass', *sys.argv[1:]]\nfrom kompass_tui.cli import main\nmain()\n"
EVERY_MODULE = textwrap.dedent(
    """
    import importlib
    import pkgutil

    for package in ("sporreskjema", "kompass_tui"):
        for module in pkgutil.walk_packages(
            importlib.import_module(package).__path__, package + "."
        ):
            if module.name.endswith(".__main__") or ".migrations" in module.name:
                continue  # the first runs the command; Alembic loads the second itself
            importlib.import_module(module.name)
    print("imported")
    """
)


def without_psycopg(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KOMPASS_LOCALE": "en", "PYTHONPATH": str(ROOT)}
    env.pop("KOMPASS_DB", None)
    return subprocess.run(
        [sys.executable, "-c", NO_PSYCOPG + code, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_postgresql_without_its_driver_says_what_to_install() -> None:
    url = "postgresql+psycopg://kari:secret@127.0.0.1:1/kompass"
    result = without_psycopg(KOMPASS, "user", "list", "--db", url)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.strip().splitlines() == [
        "Error: PostgreSQL support is not installed. "
        "Install it with: pip install 'kompass-tui[postgres]'"
    ]


def test_pdf_without_weasyprint_says_what_to_install(tmp_path: Path) -> None:
    """The export checks for the PDF part before it opens the database or writes a thing."""
    url = f"sqlite:///{tmp_path / 'k.db'}"
    assert without_psycopg(KOMPASS, "db", "upgrade", "--db", url).returncode == 0
    out = tmp_path / "pdf"
    result = without_psycopg(
        KOMPASS, "export", "--format", "pdf", "--out", str(out), "--db", url, "--user", "nobody"
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.strip().splitlines() == [
        "Error: PDF needs the optional part for it: pip install 'kompass-tui[pdf]' (and the "
        "system's Pango library). Nothing was exported."
    ]
    assert not out.exists()


def test_everything_but_postgresql_works_without_its_driver(tmp_path: Path) -> None:
    """A kiosk on SQLite needs no PostgreSQL driver (nor a PDF one): every module imports, a
    database opens."""
    imported = without_psycopg(EVERY_MODULE)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "imported"
    upgraded = without_psycopg(KOMPASS, "db", "upgrade", "--db", f"sqlite:///{tmp_path / 'k.db'}")
    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "k.db").is_file()
