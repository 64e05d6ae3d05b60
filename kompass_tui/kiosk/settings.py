"""Settings kept on this machine: the kiosk's caseworker PIN, its idle time and, on a kiosk
that seals what it sends, the municipality's public key and how long unfinished
registrations are kept.

They live in ``kiosk.json`` in the user configuration folder (platformdirs; set
``XDG_CONFIG_HOME`` to move it), readable by its owner only. The PIN is stored as an
Argon2id hash.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

import platformdirs
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kompass_tui.i18n import N_, Msg
from kompass_tui.storage.errors import file_problem
from sporreskjema.files import make_private_dir

if TYPE_CHECKING:
    from kompass_tui.exchange.sealed import Recipient

DEFAULT_IDLE_SECONDS: Final = 300
IDLE_WARNING_SECONDS: Final = 30
#: Days an unfinished registration is kept at a sealing kiosk before it is deleted.
DEFAULT_UNFINISHED_DAYS: Final = 30
PIN_MIN: Final = 4
PIN_MAX: Final = 12
_hasher = PasswordHasher()


class SettingsError(Exception):
    def __init__(self, message: Msg) -> None:
        super().__init__(message.msgid)
        self.message = message


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir("kompass", appauthor=False))


def settings_path() -> Path:
    return config_dir() / "kiosk.json"


@dataclass
class KioskSettings:
    pin_hash: str | None = None
    idle_seconds: int = DEFAULT_IDLE_SECONDS
    #: The public keys (``age1…``) sent records are sealed to; none: they stay in clear.
    recipients: list[str] = field(default_factory=list)
    unfinished_days: int = DEFAULT_UNFINISHED_DAYS
    #: The CUPS printer for the person's own copy (``kompass kiosk --set-printer``); none:
    #: the receipt offers no copy.
    printer: str | None = None

    def sealing_keys(self) -> list[Recipient]:
        """The public keys sent records are sealed to (none: they stay in clear); a
        :class:`~kompass_tui.exchange.sealed.SealError` when one is not a key."""
        from kompass_tui.exchange.sealed import parse_recipients  # only a sealing kiosk's

        if not self.recipients:
            return []
        return parse_recipients("\n".join(self.recipients), settings_path())

    def check_pin(self, pin: str) -> bool:
        """Whether ``pin`` is the caseworker PIN, in whatever digits it was typed."""
        from sporreskjema.values import ascii_digits  # not at the kiosk's start

        if not self.pin_hash:
            return False
        try:
            return _hasher.verify(self.pin_hash, ascii_digits(pin))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def load() -> KioskSettings:
    path = settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return KioskSettings()
    except (OSError, ValueError):
        raise SettingsError(_unreadable(path)) from None
    if not isinstance(data, dict):
        raise SettingsError(_unreadable(path))
    idle_seconds = data.get("idle_seconds", DEFAULT_IDLE_SECONDS)
    # A whole number of seconds, 0 for never (as `--idle-timeout`). Not a bool (JSON's `true`
    # is no time) and never negative: a wrong value must not quietly stop the kiosk from
    # clearing one person's answers before the next person comes.
    if isinstance(idle_seconds, bool) or not isinstance(idle_seconds, int) or idle_seconds < 0:
        raise SettingsError(
            Msg(
                N_(
                    "The idle time in the kiosk settings in %(path)s is not a whole number "
                    "of seconds (0 or more)."
                ),
                {"path": str(path)},
            )
        )
    recipients = data.get("recipients", [])
    unfinished_days = data.get("unfinished_days", DEFAULT_UNFINISHED_DAYS)
    printer = data.get("printer")
    if (
        not (printer is None or (isinstance(printer, str) and printer))
        or not isinstance(recipients, list)
        or not all(isinstance(r, str) for r in recipients)
        or isinstance(unfinished_days, bool)
        or not isinstance(unfinished_days, int)
        or unfinished_days < 1
    ):
        raise SettingsError(_unreadable(path))
    return KioskSettings(
        pin_hash=data.get("pin_hash") if isinstance(data.get("pin_hash"), str) else None,
        idle_seconds=idle_seconds,
        recipients=recipients,
        unfinished_days=unfinished_days,
        printer=printer,
    )


def _unreadable(path: Path) -> Msg:
    return Msg(N_("The kiosk settings in %(path)s cannot be read."), {"path": str(path)})


def save(settings: KioskSettings) -> None:
    path = settings_path()
    try:
        make_private_dir(path.parent)
        temporary = path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fp:
            json.dump(asdict(settings), fp)
            fp.flush()
            os.fsync(fp.fileno())
        temporary.replace(path)
    except OSError as exc:
        raise SettingsError(
            file_problem(N_("Cannot save the kiosk settings in %(path)s: %(reason)s."), path, exc)
        ) from None


def check_new_pin(pin: str) -> str:
    """The PIN in ASCII digits (typed on a Dari keyboard, ۱۲۳۴ is 1234, as it is when it is
    checked), or a SettingsError saying what a PIN is."""
    from sporreskjema.values import ascii_digits

    pin = ascii_digits(pin.strip())
    if not (pin.isascii() and pin.isdigit() and PIN_MIN <= len(pin) <= PIN_MAX):
        raise SettingsError(
            Msg(N_("A PIN has %(min)d to %(max)d digits."), {"min": PIN_MIN, "max": PIN_MAX})
        )
    return pin


def set_pin(pin: str) -> None:
    settings = load()
    settings.pin_hash = _hasher.hash(check_new_pin(pin))
    save(settings)


def set_recipients(public_keys: list[str], unfinished_days: int | None = None) -> None:
    """Seal what this kiosk sends to ``public_keys`` from now on (checked by the caller)."""
    settings = load()
    settings.recipients = public_keys
    if unfinished_days is not None:
        settings.unfinished_days = unfinished_days
    save(settings)


def set_printer(name: str | None) -> None:
    """Offer each person a printed copy on the CUPS printer ``name`` (checked by the caller)
    from now on; ``None``: no more copies."""
    settings = load()
    settings.printer = name
    save(settings)
