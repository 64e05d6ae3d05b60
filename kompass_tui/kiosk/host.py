"""What the kiosk's guard screens may ask of the kiosk (reached through
:class:`~kompass_tui.widgets.host.Host`; :class:`~kompass_tui.kiosk.app.KioskApp` provides it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kompass_tui.kiosk.settings import KioskSettings


class KioskHost(Protocol):
    @property
    def settings(self) -> KioskSettings:
        """The kiosk's settings: the caseworker PIN is checked against them."""
