"""The larger Textual widgets in visual order (see :mod:`kompass_tui.widgets.visual`): the
review's table and its text area. Apart from the others because Textual's ``DataTable`` and
``TextArea`` bring modules of their own (the document model, the syntax themes) that the
kiosk, which shows neither, should not load before its first screen.
"""

from __future__ import annotations

from textual import widgets

from kompass_tui.widgets.visual import VisualLines

__all__ = ["DataTable", "TextArea"]


class DataTable(VisualLines, widgets.DataTable[object]):
    pass


class TextArea(VisualLines, widgets.TextArea):
    pass
