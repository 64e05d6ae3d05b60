"""Kompass TUI — the competence survey for newly arrived refugees, in a terminal.

The application: command line (``cli/``), Textual screens and widgets, storage and
export. The questionnaire and its engine live apart, in ``sporreskjema``.
"""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # Looked up only when asked for: reading the package metadata costs start-up time.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("kompass-tui")
        except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
            return "0.0.0"
    raise AttributeError(f"module 'kompass_tui' has no attribute {name!r}")
