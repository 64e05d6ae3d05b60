"""What a benchmark module needs: :class:`Case` and the :func:`benchmark` registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Factory = Callable[[bool], "Case"]


@dataclass
class Case:
    target: float
    subject: Callable[[], object]
    baseline: Callable[[], object]
    detail: str
    #: "time": the calls are timed. "value": each call returns what is compared (bytes of
    #: peak memory, seconds it timed itself, say), measured once a round.
    measures: str = "time"
    #: Rounds and fewest calls a round, for cases whose one call takes seconds.
    rounds: int | None = None
    min_calls: int | None = None
    #: Whether a call of each side precedes the timed rounds of a case whose one call takes
    #: seconds (caches and imports warmed, so the first round is not a cold one).
    warm_up: bool = True
    #: What a "value" case's numbers are, for the table ("bytes", "s").
    unit: str = ""
    #: Why the case misses its target for now: an open problem, named, that ``--check``
    #: reports and does not fail on (as ``--known-miss`` does). Empty: a miss fails.
    known_miss: str = ""


class Skipped(Exception):
    """Raised by a factory whose case cannot run here (no server configured); says why."""


class Unavailable(Exception):
    """Raised by a factory whose case must run here but cannot; the run fails."""


#: Each case's name and the function that builds it, in the order they are registered.
_FACTORIES: list[tuple[str, Factory]] = []


def benchmark(name: str) -> Callable[[Factory], Factory]:
    """Register a function that builds the :class:`Case` called ``name`` (its argument: quick
    mode). The name is known before the case is built, so ``run.py -k`` builds only the cases
    it runs."""

    def register(factory: Factory) -> Factory:
        if any(name == known for known, _ in _FACTORIES):
            raise ValueError(f"two benchmarks are called {name!r}")
        _FACTORIES.append((name, factory))
        return factory

    return register
