"""The one rule for slowing down guessing: wrong passwords at a login, wrong PINs at the
kiosk, and identifiers a kiosk finds already registered.

The first :data:`FREE_FAILURES` mistakes in a row are free (anyone mistypes); from the next
one on, each further try waits :data:`FIRST_WAIT_SECONDS`, then twice as long each time, up
to :data:`MAX_WAIT_SECONDS`, so that nobody who forgot a password is locked out for good.
No database, no UI: the kiosk imports it at its start.
"""

from __future__ import annotations

from typing import Final

FREE_FAILURES: Final = 2
FIRST_WAIT_SECONDS: Final = 5
MAX_WAIT_SECONDS: Final = 15 * 60


def wait_after(failures: int) -> int:
    """Seconds before the next try, after ``failures`` mistakes in a row."""
    if failures <= FREE_FAILURES:
        return 0
    return int(min(FIRST_WAIT_SECONDS * 2 ** (failures - FREE_FAILURES - 1), MAX_WAIT_SECONDS))
