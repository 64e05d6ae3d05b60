"""How a screen or widget reaches the app it runs in: the one way ``self.app`` is typed.

A screen never imports its app (the app imports its screens, and a feature's screens may run in
more than one app: the wizard's pages in the kiosk and at the assisted desk). Instead each
feature describes what its screens may ask of their host in a :class:`~typing.Protocol`
(``wizard/host.py``, ``kiosk/host.py``, ``assist/host.py``, ``review/host.py``, and
:class:`LoginHost` and :class:`Bilingual` here), and a screen names it once::

    class SectionScreen(Screen[None]):
        wizard = Host(WizardHost)  # self.wizard: the app, as a WizardHost

The app class is checked against the protocol by mypy where the app is defined (``_hosts``
in each app module) and, the first time, at run time: an app that lacks a member the
protocol names is a TypeError at once, not an AttributeError somewhere later.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast, overload

if TYPE_CHECKING:
    from textual.message_pump import MessagePump

    from kompass_tui.storage.database import Database
    from sporreskjema.i18n import Translator

H = TypeVar("H")

#: (app class, protocol) pairs already found to fit.
_FITS: set[tuple[type, object]] = set()


def _members(protocol: type) -> set[str]:
    """The public names a protocol (and the protocols it extends) declares."""
    names: set[str] = set()
    for base in protocol.__mro__:
        if base is Protocol or not getattr(base, "_is_protocol", False):
            continue
        names.update(name for name in vars(base) if not name.startswith("_"))
        names.update(
            name for name in getattr(base, "__annotations__", {}) if not name.startswith("_")
        )
    return names


def _missing(app: object, protocol: type) -> list[str]:
    """What ``app`` lacks of ``protocol`` (read without running a property: some raise until
    the app is ready, such as the database before it is open)."""
    missing = []
    for name in sorted(_members(protocol)):
        try:
            inspect.getattr_static(app, name)
        except AttributeError:
            missing.append(name)
    return missing


class Host(Generic[H]):
    """Descriptor on a screen or widget class: the app it runs in, as the protocol describes it."""

    def __init__(self, protocol: Callable[..., H]) -> None:
        self.protocol = protocol

    def find(self, node: MessagePump) -> H | None:
        """The app ``node`` runs in as the protocol, or ``None`` when it is no such host."""
        app: object = node.app
        key = (type(app), self.protocol)
        if key not in _FITS:
            if _missing(app, cast(type, self.protocol)):
                return None
            _FITS.add(key)
        return cast(H, app)

    def of(self, node: MessagePump) -> H:
        """The app ``node`` runs in as the protocol (a TypeError when it is no such host)."""
        host = self.find(node)
        if host is None:
            protocol = cast(type, self.protocol)
            raise TypeError(
                f"{type(node.app).__name__} is no {protocol.__name__}: "
                f"it lacks {', '.join(_missing(node.app, protocol))}"
            )
        return host

    @overload
    def __get__(self, node: None, owner: Any = None) -> Host[H]: ...
    @overload
    def __get__(self, node: MessagePump, owner: Any = None) -> H: ...
    def __get__(self, node: MessagePump | None, owner: Any = None) -> Host[H] | H:
        return self if node is None else self.of(node)


class LoginHost(Protocol):
    """What the login screen asks of the review and the assisted desk."""

    @property
    def db(self) -> Database: ...


class ReadsAloud(Protocol):
    """An app that can read its screens aloud (the kiosk and the desk, where there is sound)."""

    def speaks(self) -> bool:
        """Whether there is sound to read aloud with."""
        ...


class Bilingual(Protocol):
    """An app that may show the caseworker's language beside the person's (the assisted desk;
    the kiosk has no such language)."""

    companion: Translator | None
