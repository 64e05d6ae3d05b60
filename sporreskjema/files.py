"""Folders and files readable by their owner only, whatever the umask.

Everything Kompass keeps on disk (the database, exports, settings, the crash log, the cache)
is the caseworker's or the person's: ``mkdir(mode=0o700, parents=True)`` is not enough, as
the parents it makes get the umask's mode (0777 under a umask of 000).
"""

from __future__ import annotations

import os
import stat
from contextlib import suppress
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def make_private_dir(path: Path) -> None:
    """Make the folder ``path`` and every missing folder above it, each owner-only (0700)
    whatever the umask. Folders that exist already are left as they are; a file in the way
    raises ``FileExistsError``, as ``mkdir`` does."""
    missing: list[Path] = []
    folder = path
    while not os.path.lexists(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            continue  # made meanwhile by another process
        os.chmod(folder, FOLDER_MODE)  # the umask may have taken the owner's bits too
    if not path.is_dir():
        raise FileExistsError(f"not a folder: {path}")


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` as a new owner-only file (0600), in place of any file there:
    a temporary file in the same folder renamed over it, so a reader never sees half of it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), FILE_MODE)
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            temporary.unlink()
        raise


def is_private(path: Path) -> bool:
    """Whether ``path`` is this user's and nobody else can read or write it."""
    try:
        info = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    return info.st_uid == os.getuid() and not stat.S_IMODE(info.st_mode) & 0o077
