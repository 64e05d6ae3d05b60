"""Benchmark runner: each benchmark is a ratio against a baseline measured in the same run.

    python bench/run.py                     # full run, prints a table
    python bench/run.py --quick --json out.json
    python bench/run.py --check             # exit 1 when a ratio is above its target
    python bench/run.py --check --known-miss keystroke   # … except for a named, open problem
    python bench/run.py -k review           # only the cases whose name has this (only they are built)

Benchmarks live in ``bench/bench_*.py``; each module registers its cases with
``bench.harness.benchmark``. A case gives a ``subject`` and a ``baseline`` callable. The two
are timed in alternating rounds, and the ratio is the best subject round over the best
baseline round: a noisy neighbour only ever adds time, and on a shared machine it rarely slows
both sides of a round alike (a call of seconds that allocates more suffers more), so the
fastest round of each is the closest to what the code itself costs. A case whose calls time
themselves (or measure memory) returns its number from each call instead (``measures="value"``),
and the ratio is of the medians. With ``--check``, a case that misses its target is measured
once more and the better measurement counts: a slower program misses twice, a neighbour's busy
minute does not.

A case that needs a server nobody configured is skipped with a line saying so; one that must run
(``KOMPASS_REQUIRE_PG=1`` for PostgreSQL, as in CI) fails the run instead. The table says how
long each case took, setup included, and the run's total.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.harness import _FACTORIES, Case, Skipped, Unavailable  # noqa: E402


def _load_modules() -> None:
    for path in sorted(HERE.glob("bench_*.py")):
        if f"bench.{path.stem}" in sys.modules:  # imported already by another bench module
            continue
        spec = importlib.util.spec_from_file_location(f"bench.{path.stem}", path)
        if spec is None or spec.loader is None:
            raise ImportError(path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)


def _time(fn: Callable[[], object], number: int, *, freeze: bool = True) -> float:
    gc.collect()
    if freeze:
        # What is alive now stays out of every later collection's scan (until the case
        # ends): by the last cases the heap holds whole apps and databases, and a full
        # collection before each round of short calls took longer than the round itself.
        gc.freeze()
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


#: Fewest calls in one timed round. The first call after the other side's round pays for
#: whatever piled up meanwhile (timers, caches): one call a round would time mostly that.
MIN_CALLS = 5


def _calibrate(fn: Callable[[], object], budget: float, least: int) -> int:
    """How many calls make one round last about ``budget`` seconds (at least ``least``)."""
    single = max(_time(fn, 1), 1e-7)
    return max(least, int(budget / single))


def _shown(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1e3:,.1f} ms"
    return f"{value:,.0f}{' ' + unit if unit else ''}"


def measure(name: str, case: Case, *, rounds: int, budget: float) -> dict[str, object]:
    rounds = case.rounds or rounds
    if case.measures == "value":
        subject_values, baseline_values = [], []
        for _ in range(rounds):  # alternating, as the timed cases are
            baseline_values.append(float(case.baseline()))  # type: ignore[arg-type]
            subject_values.append(float(case.subject()))  # type: ignore[arg-type]
        # Seconds, as the timed cases: the best round, since a busy neighbour only ever adds
        # time. Other values (bytes) vary both ways: the middle one.
        timed = case.unit == "s"
        pick, picked = (min, "best") if timed else (statistics.median, "median")
        subject, baseline = pick(subject_values), pick(baseline_values)
        return {
            "name": name,
            "ratio": round(subject / baseline, 3),
            "target": case.target,
            "detail": f"{case.detail}; subject {_shown(subject, case.unit)}, "
            f"baseline {_shown(baseline, case.unit)}, {picked} of {rounds} rounds",
        }
    if case.min_calls == 1:  # a call takes seconds: one call a round, no calibration
        if case.warm_up:
            case.subject()
            case.baseline()  # warm caches and imports for both: a cold first round is no round
        n_subject = n_baseline = 1
    else:
        case.subject()
        case.baseline()  # warm caches and imports for both
        least = case.min_calls or MIN_CALLS
        n_subject = _calibrate(case.subject, budget, least)
        n_baseline = _calibrate(case.baseline, budget, least)
    # Calls that take seconds are timed as they were: what they make themselves, with the
    # heap as it is (the export freezes it itself; its baseline does not).
    freeze = case.min_calls != 1
    subject_times, baseline_times = [], []
    for _ in range(rounds):
        baseline_times.append(_time(case.baseline, n_baseline, freeze=freeze))
        subject_times.append(_time(case.subject, n_subject, freeze=freeze))
    subject = min(subject_times)
    baseline = min(baseline_times)
    ratio = subject / baseline
    return {
        "name": name,
        "ratio": round(ratio, 3),
        "target": case.target,
        "detail": f"{case.detail}; subject {subject * 1e3:.3f} ms, baseline {baseline * 1e3:.3f} ms, "
        f"best of {rounds} rounds",
    }


def _misses(result: dict[str, object]) -> bool:
    return float(result["ratio"]) > float(result["target"])  # type: ignore[arg-type]


#: How many times ``--check`` measures a case in all before a miss counts.
MEASUREMENTS = 3


def _measured_again(
    name: str, case: Case, first: dict[str, object], *, rounds: int, budget: float
) -> dict[str, object]:
    """With ``--check``, a case that missed its target is measured again, up to
    ``MEASUREMENTS`` times in all, until one measurement is within it; the best counts. On a
    shared machine a neighbour can slow one side for minutes (a 100,000-record export measured
    4.9 s and 8.5 s on the same commit, its baseline 3.3 s and 4.0 s; an import 2.41 to 2.63
    times its baseline on one commit within an hour): a slower program misses every time, a
    busy few minutes do not."""
    measured = [first]
    while len(measured) < MEASUREMENTS and all(_misses(r) for r in measured):
        gc.unfreeze()
        measured.append(measure(name, case, rounds=rounds, budget=budget))
    best, *others = sorted(measured, key=lambda r: float(r["ratio"]))  # type: ignore[arg-type]
    ratios = ", ".join(str(r["ratio"]) for r in others)
    best["detail"] = f"{best['detail']}; measured {len(measured)} times, the others {ratios}"
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    parser.add_argument("--json", type=Path, help="write the results as a JSON list here")
    parser.add_argument("--check", action="store_true", help="exit 1 if a ratio misses its target")
    parser.add_argument(
        "--known-miss",
        action="append",
        default=[],
        metavar="TEXT",
        help="with --check: a case whose name contains TEXT may miss its target (reported, not failed)",
    )
    parser.add_argument(
        "-k", dest="only", default="", help="run only cases whose name contains this"
    )
    args = parser.parse_args(argv)

    _load_modules()
    rounds, budget = (5, 0.05) if args.quick else (15, 0.2)
    results: list[dict[str, object]] = []
    skipped: list[tuple[str, str]] = []
    unavailable: list[tuple[str, str]] = []
    started = time.perf_counter()
    for name, factory in _FACTORIES:
        if args.only and args.only not in name:
            continue
        began = time.perf_counter()
        try:
            case = factory(args.quick)
        except Skipped as why:
            skipped.append((name, str(why)))
            continue
        except Unavailable as why:
            unavailable.append((name, str(why)))
            continue
        try:
            result = measure(name, case, rounds=rounds, budget=budget)
            if args.check and _misses(result) and not case.known_miss:
                result = _measured_again(name, case, result, rounds=rounds, budget=budget)
        finally:
            gc.unfreeze()
        result["seconds"] = round(time.perf_counter() - began, 1)
        if case.known_miss:
            result["known_miss"] = case.known_miss
        results.append(result)
    total = time.perf_counter() - started

    width = max((len(str(r["name"])) for r in results), default=9)
    print(f"{'benchmark':<{width}}  {'ratio':>7}  {'target':>6}  ok   {'took':>6}")
    for r in results:
        ok = float(r["ratio"]) <= float(r["target"])  # type: ignore[arg-type]
        print(
            f"{r['name']!s:<{width}}  {r['ratio']!s:>7}  {r['target']!s:>6}  "
            f"{'yes' if ok else 'NO ':<3}  {r['seconds']!s:>5}s"
        )
        print(f"{'':<{width}}  {r['detail']}")
    for name, why in skipped:
        print(f"skipped: {name}: {why}")
    for name, why in unavailable:
        print(f"FAILED: {name}: {why}")
    print(f"{len(results)} benchmarks in {total:.1f} s")
    if args.json:
        args.json.write_text(
            json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    missed = [r for r in results if float(r["ratio"]) > float(r["target"])]  # type: ignore[arg-type]
    known = [
        r
        for r in missed
        if r.get("known_miss") or any(text in str(r["name"]) for text in args.known_miss)
    ]
    for r in known:
        why = f" ({r['known_miss']})" if r.get("known_miss") else ""
        print(f"known miss, not failed: {r['name']}{why}")
    if unavailable:
        return 1
    return 1 if args.check and len(missed) > len(known) else 0


if __name__ == "__main__":
    sys.exit(main())
