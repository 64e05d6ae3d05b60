"""The benchmark runner's ``--check``: a case that misses its target is measured again (three
times in all at most), and only a case that misses every time fails the run."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from bench import run
from bench.harness import Case


def _case(values: list[float]) -> Case:
    """A "value" case whose subject gives ``values`` in turn (one a round), baseline 1."""
    given = itertools.cycle(values)
    return Case(
        target=2.0,
        subject=lambda: next(given),
        baseline=lambda: 1.0,
        detail="test",
        measures="value",
        rounds=1,
    )


@pytest.fixture
def cases(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    registered: list[tuple[str, Any]] = []
    monkeypatch.setattr(run, "_FACTORIES", registered)
    monkeypatch.setattr(run, "_load_modules", lambda: None)
    return registered


def test_a_miss_measured_again_within_target_passes(
    cases: list[tuple[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    cases.append(("busy minute", lambda quick: _case([2.5, 1.5])))
    assert run.main(["--quick", "--check"]) == 0
    shown = capsys.readouterr().out
    assert "1.5" in shown
    assert "measured 2 times, the others 2.5" in shown


def test_a_miss_measured_again_missing_again_fails(cases: list[tuple[str, Any]]) -> None:
    cases.append(("slower program", lambda quick: _case([2.5, 2.4, 2.6])))
    assert run.main(["--quick", "--check"]) == 1


def test_a_third_measurement_within_target_passes(
    cases: list[tuple[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    cases.append(("busy minutes", lambda quick: _case([2.5, 2.6, 1.9])))
    assert run.main(["--quick", "--check"]) == 0
    assert "measured 3 times, the others 2.5, 2.6" in capsys.readouterr().out


def test_without_check_a_miss_is_measured_once(cases: list[tuple[str, Any]]) -> None:
    calls: list[float] = []

    def factory(quick: bool) -> Case:
        case = _case([2.5, 1.5])
        subject = case.subject
        case.subject = lambda: calls.append(1) or subject()  # type: ignore[func-returns-value]
        return case

    cases.append(("no check", factory))
    assert run.main(["--quick"]) == 0
    assert len(calls) == 1
