"""Storage consolidated: the status machine beside ``Status``, the answers' two shapes in one
place, one back-off rule, one record getter, one name for the database variable."""

from __future__ import annotations

import ast
import uuid
from pathlib import Path
from typing import Any

import pytest

from kompass_tui.storage import answers, backoff, models, records, review, status
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Mode
from kompass_tui.storage.status import Status
from sporreskjema import Questionnaire

PACKAGE = Path(__file__).resolve().parents[2] / "kompass_tui"

S = Status
ALLOWED = {
    (S.in_progress, S.submitted),
    (S.submitted, S.reviewed),
    (S.reviewed, S.submitted),
    (S.reviewed, S.exported),
    (S.exported, S.reviewed),
    (S.submitted, S.sent_back),
    (S.reviewed, S.sent_back),
    (S.sent_back, S.submitted),
}


@pytest.mark.parametrize("old", list(Status))
@pytest.mark.parametrize("new", list(Status))
def test_the_status_machine_allows_these_steps_and_refuses_every_other(
    old: Status, new: Status
) -> None:
    assert status.may_follow(old, new) == ((old, new) in ALLOWED)
    assert status.may_follow(str(old), str(new)) == ((old, new) in ALLOWED)


def test_set_status_follows_the_machine(db: Database, kompass: Questionnaire) -> None:
    """A caseworker's step is refused exactly when the machine refuses it, naming the steps
    the machine allows."""
    from kompass_tui.storage import accounts
    from sporreskjema.i18n import translator

    worker = accounts.add_user(db, username="cw", full_name="Case Worker", password="x" * 12).id
    assert worker is not None
    new = records.create_record(db, questionnaire=kompass, mode=Mode.kiosk, locale="en")
    path = [S.submitted, S.reviewed, S.exported, S.reviewed, S.submitted]
    current = S.in_progress
    for target in path:
        for refused in Status:
            if refused is not target and not status.may_follow(current, refused):
                with pytest.raises(review.TransitionRefused) as caught:
                    review.set_status(db, record_id=new.id, actor_id=worker, status=refused)
                text = caught.value.message.render(translator("en"))
                assert str(status.STATUS_NAMES[target]) in text
        review.set_status(db, record_id=new.id, actor_id=worker, status=target)
        assert records.get_record(db, new.id).status == target
        current = target


def test_one_table_of_status_names() -> None:
    assert not hasattr(models, "STATUS_LABELS")
    assert review.STATUS_NAMES is status.STATUS_NAMES
    assert review.TRANSITIONS is status.TRANSITIONS
    assert models.Status is Status
    assert set(status.STATUS_NAMES) == set(Status) == set(status.TRANSITIONS)


NESTED: dict[str, Any] = {
    "full_name": "Hodan Ali",
    "languages": ["so", "ar"],
    "jobs": [{"job_title": "Nurse", "tasks": "Care"}, {"job_title": "Driver"}],
    "other_languages": [{"language": "en", "speaking": "B1"}],
}


def test_nest_and_flatten_are_one_pair() -> None:
    flat = answers.flat_answers(NESTED)
    assert flat["jobs[1].job_title"] == "Driver"
    assert flat["languages"] == ["so", "ar"]
    assert answers.nest_answers(flat) == NESTED
    assert answers.nest_answers(list(flat.items())) == NESTED
    # Gaps are closed, and a path written past the program is kept by its text.
    assert answers.nest_answers({"jobs[3].tasks": "x", "jobs[1].tasks": "y", "a[b": 1}) == {
        "a[b": 1,
        "jobs": [{"tasks": "y"}, {"tasks": "x"}],
    }
    # Derived values are written right after their code, in their order.
    beside = {"level": {"B1": (("level_n", "3"), ("level_i", "4"))}}
    nested = answers.nest_answers({"level": "B1", "z": 1}, beside=beside)
    assert list(nested) == ["level", "level_n", "level_i", "z"]
    assert nested["level_i"] == "4"


def test_every_caller_nests_and_flattens_with_the_one_pair() -> None:
    """Nobody else turns stored paths into entries or back: no second helper anywhere."""
    for path in PACKAGE.rglob("*.py"):
        if path.name == "answers.py" and path.parent.name == "storage":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        assert not names & {"nest_answers", "flat_answers", "_in_group", "_is_group"}, path
        text = path.read_text(encoding="utf-8")
        assert "sorted(entries)" not in text, path


def test_moved_paths_follow_their_entries() -> None:
    paths = ["jobs[0].a", "jobs[1].a", "jobs[2].b", "full_name", "other[1].a"]
    assert answers.moved_paths(paths, "jobs", [0, 2]) == {"jobs[0].a": "jobs[0].a",
                                                          "jobs[1].b": "jobs[2].b"}  # fmt: skip


def test_save_entries_keeps_who_gave_a_moved_answer(db: Database, kompass: Questionnaire) -> None:
    new = records.create_record(db, questionnaire=kompass, mode=Mode.kiosk, locale="en")
    for index, title in enumerate(["A", "B", "C"]):
        records.save_answer(db, record_id=new.id, path=f"jobs[{index}].job_title", value=title,
                            provenance=f"who{index}")  # fmt: skip
    records.save_entries(db, record_id=new.id, group="jobs", provenance="caseworker",
                         entries=[{"job_title": "A"}, {"job_title": "Z"}], origins=[0, 2])  # fmt: skip
    rows = {row.path: (row.value, row.provenance) for row in records.answer_rows(db, new.id)}
    assert rows == {"jobs[0].job_title": ("A", "who0"), "jobs[1].job_title": ("Z", "caseworker")}


def test_a_correction_copies_person_fields_as_the_kiosk_does(
    db: Database, kompass: Questionnaire
) -> None:
    """The person's fields reach the record by one function, for the kiosk and for a
    correction: the same columns, the same date conversion, the same once-per-person rule."""
    import datetime as dt

    from kompass_tui.storage import accounts

    worker = accounts.add_user(db, username="cw", full_name="Case Worker", password="x" * 12).id
    assert worker is not None
    first = records.create_record(db, questionnaire=kompass, mode=Mode.kiosk, locale="en")
    records.save_answer(db, record_id=first.id, path="person_id", value="202400000001",
                        provenance="self")  # fmt: skip
    second = records.create_record(db, questionnaire=kompass, mode=Mode.kiosk, locale="en")
    records.save_answer(db, record_id=second.id, path="birth_date", value="1990-02-03",
                        provenance="self")  # fmt: skip
    records.submit(db, record_id=second.id)
    review.correct_answer(db, record_id=second.id, actor_id=worker, path="birth_date",
                          value="1991-04-05", reason="typo")  # fmt: skip
    assert records.get_record(db, second.id).birth_date == dt.date(1991, 4, 5)
    with pytest.raises(records.DuplicatePerson) as caught:
        review.correct_answer(db, record_id=second.id, actor_id=worker, path="person_id",
                              value="202400000001", reason="typo")  # fmt: skip
    assert caught.value.existing == first.id


def _source_of(module: Any) -> str:
    return Path(module.__file__).read_text(encoding="utf-8")


def test_the_storage_has_one_record_getter_and_one_person_copy() -> None:
    storage = [path.read_text(encoding="utf-8") for path in (PACKAGE / "storage").glob("*.py")]
    assert sum(text.count("session.get(Record,") for text in storage) == 1
    assert sum(text.count("def _record(") for text in storage) == 0
    assert sum(text.count("PERSON_FIELDS.get(") for text in storage) == 2  # answers, records
    assert sum(text.count("fromisoformat") for text in storage) == 1


def test_the_database_variable_is_named_once() -> None:
    found = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if '"KOMPASS_DB"' in path.read_text(encoding="utf-8")
    ]
    assert found == ["storage/__init__.py"]


def test_one_back_off_rule() -> None:
    """Logins, the kiosk PIN and kiosk look-ups wait by one rule: free mistakes, then 5 s,
    doubling, never more than 15 minutes."""
    from kompass_tui.kiosk.screens import guard
    from kompass_tui.storage import accounts

    assert accounts.wait_after is backoff.wait_after
    assert [backoff.wait_after(n) for n in range(1, 10)] == [0, 0, 5, 10, 20, 40, 80, 160, 320]
    assert backoff.wait_after(12) == backoff.wait_after(1000) == 15 * 60
    assert "2 **" not in _source_of(guard)
    assert "2 **" not in _source_of(records)
    assert guard.PIN_FREE_TRIES == backoff.FREE_FAILURES + 1


def test_record_not_found_is_one_error(db: Database) -> None:
    with pytest.raises(records.RecordNotFound):
        review.load_view(db, uuid.uuid4())
    with pytest.raises(records.RecordNotFound):
        records.get_record(db, uuid.uuid4())
