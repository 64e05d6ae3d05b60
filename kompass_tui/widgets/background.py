"""Slow work off Textual's event loop.

A password hash (Argon2id: about 90 ms to a second) or a database read or write would stop
the screen while it runs: keys not taken, the clock not ticking. A screen therefore runs such
work with :func:`in_background`: a coroutine, run as a worker of the screen, that awaits the
slow call in a thread (``await asyncio.to_thread(...)``) and then shows its result on the loop
as before. The screen shows that it is working and takes no second submission meanwhile.

Every storage function opens a session of its own for each call (``Database.session`` /
``write``), and the engines hand each thread a connection of its own from their pool, so no
session or connection is shared between threads.

A screen that goes away takes its workers with it: a result that arrives after it is gone is
not shown anywhere. An unexpected error in the work reaches the app exactly as one raised in
an event handler (its crash log and its recovery, the error itself, not wrapped).
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from textual.dom import DOMNode
from textual.worker import Worker


def in_background(node: DOMNode, job: Coroutine[Any, Any, None], *, group: str) -> Worker[None]:
    """Run ``job`` as a worker of ``node`` (cancelled when ``node`` is removed)."""

    async def guarded() -> None:
        try:
            await job
        except Exception as error:  # as from an event handler: the app's crash handling
            node.app._handle_exception(error)

    return node.run_worker(guarded(), group=group, exit_on_error=False)
