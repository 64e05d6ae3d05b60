"""Kompass TUI — the competence survey for newly arrived refugees, in a terminal.

The application: command line (``cli/``), Textual screens and widgets, storage and
export. The questionnaire and its engine live apart, in ``sporreskjema``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kompass-tui")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0.0.0"
