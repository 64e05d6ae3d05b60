"""The registry of question types: a new type is one entry.

A toy type, ``rating`` (a whole number from 1 to 5, shown as "4/5"), is registered by the test
alone, named by a questionnaire written for the test, and walked through the engine, storage,
the kiosk and the export with nothing else changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from textual.widgets import Input

from kompass_tui.exchange.export import Format, export
from kompass_tui.exchange.records import Selection, answers_schema, schema
from kompass_tui.storage import accounts, records
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Status
from kompass_tui.widgets.questions import WIDGETS, TextField, field_class
from kompass_tui.wizard.registration import Registration
from kompass_tui.wizard.screens.receipt import ReceiptScreen
from kompass_tui.wizard.screens.summary import SummaryScreen
from sporreskjema import (
    DefinitionError,
    Form,
    Question,
    Questionnaire,
    load_builtin,
    load_definition,
    values,
)
from sporreskjema.i18n import Msg, Translator
from sporreskjema.types import (
    REGISTRY,
    WIDGET_KINDS,
    QuestionKind,
    allowed_text,
    register,
    unregister,
)
from tests.support.helpers import ALL_TYPES, filled, inline
from tests.support.kiosk_pilot import (
    TODAY,
    error_of,
    make_app,
    pick_language,
    press_button,
    reach,
    tick,
    type_text,
)

# ------------------------------------------------------------------ the toy type, whole


def _parse_rating(q: Question, raw: Any, _qs: Questionnaire, _today: dt.date) -> int | None:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise TypeError("a rating is typed")
    text = values.ascii_digits(str(raw)).strip()
    if not text:
        return None
    if not re.fullmatch(r"[1-5]", text):
        raise values.Invalid(
            Msg("%(field)s: write a whole number from 1 to 5.", {"field": q.label_msg()})
        )
    return int(text)


def _show_rating(_q: Question, value: Any, _qs: Questionnaire, _tr: Translator) -> str:
    return f"{value}/5"


def _is_rating(_q: Question, value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


RATING = QuestionKind(
    "rating",
    widget="line",  # typed in one line: no widget of its own
    parse=_parse_rating,
    display=_show_rating,
    shape=_is_rating,
    json_schema={"type": "integer", "minimum": 1, "maximum": 5},
    placeholder="1–5",
    typed_length=1,
)

TOY = """\
id = "toy"
version = "1"
title = "Competence survey"

[[sections]]
name = "about_you"
title = "About you"

[[sections.questions]]
name = "full_name"
type = "text"
label = "Full name"
required = true

[[sections.questions]]
name = "norwegian_rating"
type = "rating"
label = "How well do you speak Norwegian?"
required = true
constraint = "value >= 2"
constraint_message = "Choose 2 or more."

[[sections]]
name = "summary"
title = "Summary"

[[sections.questions]]
name = "confirmed"
type = "confirm"
label = "My answers are correct, and I want to send them"
required = true

[[provenance]]
code = "self"
label = "The person alone"
"""


@pytest.fixture
def toy_file(tmp_path: Path) -> Path:
    path = tmp_path / "toy-v1.toml"
    path.write_text(TOY, encoding="utf-8")
    return path


@pytest.fixture
def rating() -> Iterator[QuestionKind]:
    """The toy type, registered for one test only."""
    register(RATING)
    try:
        yield RATING
    finally:
        unregister(RATING.name)


@pytest.fixture
def toy(rating: QuestionKind, toy_file: Path) -> Questionnaire:
    """The test's questionnaire, read by the loader that reads kompass-v1."""
    return load_definition(toy_file)


def test_an_unregistered_type_is_refused_with_the_types_there_are(toy_file: Path) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_definition(toy_file)
    (problem,) = caught.value.problems
    assert problem.where() == "about_you › norwegian_rating › type"
    assert problem.message.msgid == "'%(value)s' is not one of: %(allowed)s"
    assert problem.message.params["value"] == "rating"
    assert problem.message.params["allowed"].startswith("'note', 'text', 'integer'")
    assert problem.message.params["allowed"].endswith("'confirm' or 'repeat'")


def test_a_registered_type_is_one_the_definition_may_name(toy: Questionnaire) -> None:
    question = toy.question("norwegian_rating")
    assert question.kind is RATING
    assert question.holds_value
    assert "'rating'" in allowed_text()


def test_the_toy_type_in_the_engine(toy: Questionnaire, nb: Translator) -> None:
    form = Form(toy, today=TODAY)
    # Parsing: digits of any script, and the type's own message for anything else.
    assert form.set("norwegian_rating", "٤") is None
    assert form.get("norwegian_rating") == 4
    error = form.set("norwegian_rating", "9")
    assert error is not None
    assert error.render(nb) == "How well do you speak Norwegian?: write a whole number from 1 to 5."
    assert form.get("norwegian_rating") == 4  # a wrong answer is not stored
    # The questionnaire's constraint, on the parsed value.
    error = form.set("norwegian_rating", "1")
    assert error is not None
    assert error.msgid == "Choose 2 or more."
    # Display, in the summary too; the stored JSON.
    question = toy.question("norwegian_rating")
    assert values.display(question, 4, toy, nb) == "4/5"
    (about, _summary) = form.summary(nb)
    assert [(item.label, item.text) for item in about.items][1][1] == "4/5"
    assert form.relevant_answers() == {"norwegian_rating": 4}
    # Stored data read back; an import's value of the wrong form is refused.
    again = Form.from_json(toy, {"norwegian_rating": 4}, strict=True)
    assert again.get("norwegian_rating") == 4
    with pytest.raises(Exception, match="wrong form"):
        Form.from_json(toy, {"norwegian_rating": "4"}, strict=True)
    # A required rating not given.
    missing = Form(toy, today=TODAY).missing("norwegian_rating")
    assert missing is not None
    assert missing.msgid == "%(field)s: please answer this question."


def test_the_toy_type_is_saved_and_read_back(toy: Questionnaire, sqlite_db: Database) -> None:
    registration = Registration(sqlite_db, locale="nb", questionnaire=toy, today=TODAY)
    assert registration.answer("full_name", "Amina Yusuf") is None
    assert registration.answer("norwegian_rating", "3") is None
    assert registration.answer("norwegian_rating", "6") is not None  # refused, nothing saved
    assert registration.record_id is not None
    stored = records.load_answers(sqlite_db, registration.record_id)
    assert stored == {"full_name": "Amina Yusuf", "norwegian_rating": 3}
    form = Form.from_json(toy, stored, today=TODAY, strict=True)
    assert form.get("norwegian_rating") == 3


async def test_the_toy_type_in_the_kiosk(toy: Questionnaire, sqlite_db: Database) -> None:
    """A person answers the rating in the real kiosk, in the widget its kind names."""
    assert field_class(toy.question("norwegian_rating")) is WIDGETS["line"] is TextField
    app = make_app(sqlite_db, questionnaire=toy)
    async with app.run_test(size=(100, 32)) as pilot:
        await pick_language(pilot, "nb")
        await type_text(pilot, "full_name", "Amina Yusuf")
        field = await reach(pilot, "norwegian_rating")
        assert field.query_one(Input).placeholder == "1–5"
        await type_text(pilot, "norwegian_rating", "7")
        assert "from 1 to 5" in error_of(pilot, "norwegian_rating")
        await type_text(pilot, "norwegian_rating", "4")
        assert error_of(pilot, "norwegian_rating") == ""
        await press_button(pilot, "#next")
        assert isinstance(app.screen, SummaryScreen)
        summary = " ".join(str(w.render()) for w in app.screen.query("Static, Label"))
        assert "4/5" in summary
        await tick(pilot, "confirmed")
        await press_button(pilot, "#next")
        assert isinstance(app.screen, ReceiptScreen)
    with sqlite_db.session() as session:
        from sqlmodel import select

        from kompass_tui.storage.models import Record

        (record,) = session.exec(select(Record)).all()
    assert (record.questionnaire_id, record.status) == ("toy", Status.submitted)
    assert records.load_answers(sqlite_db, record.id) == {
        "full_name": "Amina Yusuf",
        "norwegian_rating": 4,
        "confirmed": True,
    }


def test_the_toy_type_is_exported_in_its_declared_shape(
    toy: Questionnaire, sqlite_db: Database, tmp_path: Path
) -> None:
    registration = Registration(sqlite_db, locale="nb", questionnaire=toy, today=TODAY)
    for path, raw in (("full_name", "Amina Yusuf"), ("norwegian_rating", "4"), ("confirmed", True)):
        assert registration.answer(path, raw) is None
    assert registration.submit() is None
    worker = accounts.add_user(sqlite_db, username="kari", full_name="Kari", password="x" * 12).id
    assert worker is not None
    question = toy.question("norwegian_rating")

    export(sqlite_db, fmt=Format.json, out=tmp_path / "out.json", selection=Selection(),
           actor_id=worker, questionnaire=toy)  # fmt: skip
    (record,) = json.loads((tmp_path / "out.json").read_text("utf-8"))
    Draft202012Validator(schema()).validate(record)
    Draft202012Validator(answers_schema(toy)).validate(record["answers"])
    assert record["answers"]["norwegian_rating"] == 4
    Draft202012Validator(RATING.answer_schema(question)).validate(4)

    export(sqlite_db, fmt=Format.csv, out=tmp_path / "csv", selection=Selection(),
           actor_id=worker, questionnaire=toy)  # fmt: skip
    with (tmp_path / "csv" / "persons.csv").open(encoding="utf-8-sig", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["norwegian_rating"] == "4"
    assert row["confirmed"] == "yes"


# ------------------------------------------------------------------ the registry itself


def test_every_type_has_a_widget_and_a_shape_the_record_schema_allows() -> None:
    value = schema()["$defs"]["value"]
    for kind in REGISTRY.values():
        assert kind.widget in WIDGET_KINDS, kind.name
        assert kind.widget in WIDGETS, kind.name
        if kind.multiline_widget is not None:
            assert kind.multiline_widget in WIDGETS, kind.name
        if kind.holds_value:
            assert kind.json_schema["type"] in {one["type"] for one in value["oneOf"]}, kind.name


def test_every_type_is_in_the_test_questionnaire_of_all_types() -> None:
    """A new type is added to ``tests/support/helpers.py``'s ALL_TYPES too, which the value, fuzz and
    export tests walk."""
    every = inline(ALL_TYPES)
    assert set(REGISTRY) == {q.type for q in every.all_questions()}


def test_the_declared_shapes_are_what_is_stored(kompass: Questionnaire) -> None:
    every = inline(ALL_TYPES)
    form = filled(
        every,
        TODAY,
        {
            "text": "Hei", "long_text": "To\nlinjer", "integer": "12", "year": "2015",
            "date": "31.12.1990", "single": "red", "multiple": ["red", "blue"],
            "language": "ti", "languages": ["ti", "ar"], "country": "ER",
            "phone": "+47 912 34 567", "email": "Olena@Example.COM",
            "ranked": ["blue", "red"], "duf": "202412345678", "national_id": "01010012356",
            "person_id": "202412345678", "confirm": True, "items[0].item": "Hammer",
        },
    )  # fmt: skip
    answers = form.relevant_answers()
    top = {q.name for q in every.all_questions() if q.group is None and q.holds_value}
    assert set(answers) == top | {"items"}
    Draft202012Validator(answers_schema(every)).validate(answers)
    Draft202012Validator.check_schema(answers_schema(kompass))


def test_a_name_is_registered_once_and_a_shape_must_fit_the_record() -> None:
    with pytest.raises(ValueError, match="registered already"):
        register(QuestionKind("text", widget="line", parse=_parse_rating))
    with pytest.raises(ValueError, match="stored answer"):
        register(
            QuestionKind("blob", widget="line", parse=_parse_rating, json_schema={"type": "object"})
        )
    with pytest.raises(ValueError, match="picker"):
        register(QuestionKind("place", widget="picker", parse=_parse_rating))
    assert "blob" not in REGISTRY
    assert "place" not in REGISTRY


def test_the_built_in_questionnaire_names_registered_types_only() -> None:
    assert {q.type for q in load_builtin().all_questions()} <= set(REGISTRY)
