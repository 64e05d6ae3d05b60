"""Sealed records: age envelopes (the format of https://age-encryption.org/v1).

An envelope is sealed to the municipality's public key (its *recipient*, a short text that
starts with ``age1``) and only the private key (its *identity*) opens it. The identity is kept
in a file that is itself sealed with a passphrase, so a copied key file gives nothing away
without the passphrase. Both files are in age's own formats: the ``age`` command-line tool
opens an envelope (``age -d -i kompass-key.age records.jsonl.age``) and gives back the clear
text byte for byte, and ``age-keygen -y`` reads the identity.

Nothing clear is written to a disk on the way: :class:`SealedFile` encrypts as it is written,
in age's 64 KiB pieces, and :func:`unseal` opens an envelope into memory. age authenticates
every piece and the end of the stream, so a truncated or altered envelope is refused, never
half read.
"""

from __future__ import annotations

import errno
import io
import os
import threading
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

import pyrage
from pyrage import x25519

from kompass_tui.i18n import N_, Msg
from kompass_tui.storage.errors import StorageError, file_problem
from sporreskjema.files import FILE_MODE, make_private_dir

#: Shortest passphrase for a new key: it alone guards the key file.
PASSPHRASE_MIN: Final = 12
#: The files ``kompass keys new`` writes: the identity (sealed with the passphrase) and the
#: recipient (public; for every kiosk and every export).
IDENTITY_FILE: Final = "kompass-key.age"
RECIPIENT_FILE: Final = "kompass-recipient.txt"
#: What a sealed file's name ends with.
SUFFIX: Final = ".age"
#: How an envelope starts: age's binary header, or its ASCII armour.
_BINARY_START: Final = b"age-encryption.org/v1\n"
_ARMOURED_START: Final = b"-----BEGIN AGE ENCRYPTED FILE-----"
MAGIC_BYTES: Final = len(_ARMOURED_START)

Recipient = x25519.Recipient
Identity = x25519.Identity


class SealError(StorageError):
    """A key or an envelope that cannot be used, with a message for the person."""


@dataclass(frozen=True)
class NewKeys:
    identity: Path
    recipient: Path
    public: str


def check_new_passphrase(passphrase: str) -> str:
    if len(passphrase) < PASSPHRASE_MIN:
        raise SealError(
            Msg(N_("A passphrase has at least %(min)d characters."), {"min": PASSPHRASE_MIN})
        )
    return passphrase


def new_keys(folder: Path, passphrase: str) -> NewKeys:
    """A new key pair in ``folder``: the identity sealed with ``passphrase``, the recipient
    in clear. Files that are there already are never overwritten (a lost key is lost
    records)."""
    check_new_passphrase(passphrase)
    identity = Identity.generate()
    public = str(identity.to_public())
    sealed = pyrage.passphrase.encrypt(
        f"# Kompass TUI key; public key: {public}\n{identity}\n".encode(), passphrase, armored=True
    )
    identity_path, recipient_path = folder / IDENTITY_FILE, folder / RECIPIENT_FILE
    try:
        make_private_dir(folder)
        for path in (identity_path, recipient_path):
            if os.path.lexists(path):
                raise SealError(
                    Msg(
                        N_("%(path)s is there already; a key is never overwritten."),
                        {"path": str(path)},
                    )
                )
        _write_new(identity_path, sealed)
        _write_new(recipient_path, f"# Kompass TUI public key\n{public}\n".encode())
    except OSError as exc:
        raise SealError(
            file_problem(N_("Cannot write %(path)s: %(reason)s."), folder, exc)
        ) from None
    return NewKeys(identity_path, recipient_path, public)


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _key_lines(text: str) -> list[str]:
    """A key file's lines that are not blank and not ``#`` comments."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SealError(file_problem(N_("Cannot read %(path)s: %(reason)s."), path, exc)) from None


def parse_recipients(text: str, path: object) -> list[Recipient]:
    """The public keys of a recipient file's text: one ``age1…`` a line, ``#`` comments.
    ``path``: where the text is from, for the message."""
    try:
        recipients = [Recipient.from_str(line) for line in _key_lines(text)]
    except pyrage.RecipientError:
        recipients = []
    if not recipients:
        raise SealError(
            Msg(
                N_("%(path)s holds no public key (a line that starts with age1)."),
                {"path": str(path)},
            )
        )
    return recipients


def read_recipients(path: Path) -> list[Recipient]:
    return parse_recipients(_read(path).decode("utf-8", "replace"), path)


def read_identities(path: Path, passphrase: Callable[[], str]) -> list[Identity]:
    """The private keys in ``path``: a key file of ``kompass keys new`` (opened with the
    passphrase, asked for only then) or a clear one of ``age-keygen``."""
    data = _read(path)
    if is_envelope(data[:MAGIC_BYTES]):
        data = _open_key(data, passphrase(), path)
    try:
        identities = [Identity.from_str(line) for line in _key_lines(data.decode("utf-8"))]
    except (UnicodeDecodeError, pyrage.IdentityError):
        identities = []
    if not identities:
        raise SealError(
            Msg(
                N_("%(path)s holds no private key (a line that starts with AGE-SECRET-KEY-1)."),
                {"path": str(path)},
            )
        )
    return identities


#: Tries at opening a key file when age finds its scrypt work too much for this machine.
KEY_TRIES: Final = 3


def _open_key(data: bytes, passphrase: str, path: Path) -> bytes:
    """The key file opened with ``passphrase``. age measures, each time, how much scrypt work
    this machine does in a second and refuses a key that needs far more ("excessive work");
    on a machine busy for a moment that measure is low, so the key is tried again."""
    for attempt in range(KEY_TRIES):
        try:
            return pyrage.passphrase.decrypt(data, passphrase)
        except pyrage.DecryptError as exc:
            if "xcessive" not in str(exc) and "ExcessiveWork" not in repr(exc):
                raise SealError(
                    Msg(N_("The passphrase does not open the key %(path)s."), {"path": str(path)})
                ) from None
            if attempt == KEY_TRIES - 1:
                raise SealError(
                    Msg(
                        N_(
                            "This machine is too busy to open the key %(path)s now (its passphrase protection takes a second of work); try again."
                        ),
                        {"path": str(path)},
                    )
                ) from None
    raise AssertionError("unreachable")  # pragma: no cover


def is_envelope(start: bytes) -> bool:
    """Whether a file that starts with ``start`` (:data:`MAGIC_BYTES` of it) is sealed."""
    return start.startswith(_BINARY_START) or start.startswith(_ARMOURED_START)


def seal(data: bytes, recipients: Sequence[Recipient]) -> bytes:
    """``data`` as one envelope."""
    return pyrage.encrypt(data, list(recipients))


def unseal(data: bytes | IO[bytes], identities: Sequence[Identity], name: object) -> bytes:
    """What the envelope ``data`` (bytes, or an open file read from where it is) holds;
    a :class:`SealError` saying why not when it is sealed to another key, cut short or
    changed. ``name``: the envelope, for the message."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    out = io.BytesIO()
    try:
        pyrage.decrypt_io(source, out, list(identities))  # type: ignore[arg-type]
    except (pyrage.DecryptError, OSError) as exc:
        # age says what went wrong only in words: a damaged envelope is an OSError without
        # an errno, a file the system could not read has one.
        if isinstance(exc, OSError) and exc.errno is not None:
            raise
        if "No matching keys" in str(exc):
            raise SealError(
                Msg(
                    N_(
                        "%(name)s is sealed to another key; this key cannot open it. Nothing was imported."
                    ),
                    {"name": str(name)},
                )
            ) from None
        raise SealError(
            Msg(
                N_("%(name)s is damaged or was changed after it was sealed. Nothing was imported."),
                {"name": str(name)},
            )
        ) from None
    return out.getvalue()


class _Watched(io.RawIOBase):
    """The file an envelope goes to, keeping the error its writes met (age reports only its
    text)."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.error: OSError | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        try:
            return self.handle.write(data)
        except OSError as exc:
            self.error = exc
            raise


class SealedFile(io.RawIOBase):
    """A file whose bytes are sealed into ``out`` as they are written: age encrypts them in
    a thread of its own, fed through a pipe, so what is clear stays in memory, one piece at a
    time. :meth:`close` finishes the envelope and raises what went wrong on the way (an
    ``OSError`` from ``out``, a full disk say)."""

    def __init__(self, out: IO[bytes], recipients: Sequence[Recipient]) -> None:
        super().__init__()
        read_end, write_end = os.pipe()
        self._pipe = os.fdopen(write_end, "wb", buffering=0)
        self._out = _Watched(out)
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._seal, args=(read_end, list(recipients)), daemon=True
        )
        self._thread.start()

    def _seal(self, read_end: int, recipients: list[Recipient]) -> None:
        with os.fdopen(read_end, "rb") as source:
            try:
                pyrage.encrypt_io(source, self._out, recipients)  # type: ignore[arg-type]
            except BaseException as exc:
                self._error = exc
            # age may end without a word when the last write failed: the file knows.
            self._error = self._out.error or self._error

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self._pipe.closed:  # the sealing stopped before: the same reason again
            self._finish()
            raise OSError(errno.EPIPE, os.strerror(errno.EPIPE))
        try:
            return self._pipe.write(data) or 0
        except BrokenPipeError:  # the sealing stopped: say why
            self._finish()
            raise

    def _finish(self) -> None:
        """End the envelope; raise what stopped it, each time it is asked (a writer that
        meets a full disk flushes again when it is closed)."""
        with suppress(OSError):
            self._pipe.close()
        self._thread.join()
        if self._error is not None:
            if isinstance(self._error, OSError):
                raise self._error
            raise OSError(str(self._error))

    def close(self) -> None:
        if not self.closed:
            try:
                self._finish()
            finally:
                super().close()


def sealed_text(
    out: IO[bytes],
    recipients: Sequence[Recipient],
    *,
    encoding: str = "utf-8",
    newline: str | None = "\n",
) -> IO[str]:
    """A text file whose text is sealed into ``out`` (as :func:`open` would write it)."""
    return io.TextIOWrapper(
        io.BufferedWriter(SealedFile(out, recipients), buffer_size=64 * 1024),  # type: ignore[type-var]
        encoding=encoding,
        newline=newline,
    )
