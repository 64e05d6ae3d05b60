"""What a benchmark module needs: :class:`Case` and the :func:`benchmark` registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Case:
    name: str
    target: float
    subject: Callable[[], object]
    baseline: Callable[[], object]
    detail: str
    #: "time": the calls are timed. "value": each call returns what is compared (bytes of
    #: peak memory, say), measured once a round.
    measures: str = "time"
    #: Rounds and fewest calls a round, for cases whose one call takes seconds.
    rounds: int | None = None
    min_calls: int | None = None


_FACTORIES: list[Callable[[bool], Case]] = []


def benchmark(factory: Callable[[bool], Case]) -> Callable[[bool], Case]:
    """Register a function that builds a :class:`Case` (its argument: quick mode)."""
    _FACTORIES.append(factory)
    return factory
