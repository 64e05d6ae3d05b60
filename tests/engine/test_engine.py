"""The engine on small inline questionnaires and on Kompass v1: flow, repeat groups,
completeness and the summary."""

from __future__ import annotations

import datetime as dt

import pytest

from sporreskjema import Form, FormError, Path, Questionnaire, translator
from tests.support.helpers import ALL_TYPES, TODAY, filled, inline

QS = inline(ALL_TYPES)


def test_paths_round_trip() -> None:
    for text in ("full_name", "jobs[0].job_title", "educations[12].level"):
        assert str(Path.parse(text)) == text
    for bad in ("Jobs", "jobs[x].title", "jobs[0]", "a.b", ""):
        with pytest.raises(ValueError):
            Path.parse(bad)


def test_unknown_paths_are_refused(form: Form) -> None:
    with pytest.raises(FormError):
        form.set("no_such_question", "x")
    with pytest.raises(FormError):
        form.set("jobs[0].job_title", "Cook")  # no entry yet
    with pytest.raises(FormError):
        form.set("job_title", "Cook")  # belongs to an entry
    with pytest.raises(FormError):
        form.set("why_survey", "x")  # a note takes no answer


class TestRepeatGroups:
    def test_add_edit_remove(self) -> None:
        form = Form(QS, today=TODAY)
        assert form.add_entry("items") == 0
        assert form.add_entry("items") == 1
        assert form.set("items[0].item", "first") is None
        assert form.set("items[1].item", "second") is None
        assert form.set("items[1].item", "second, edited") is None
        assert [e["item"] for e in form.entries("items")] == ["first", "second, edited"]
        form.remove_entry("items", 0)
        assert form.entries("items") == [{"item": "second, edited"}]
        form.remove_entry("items", 0)
        assert form.entries("items") == []
        assert "items" not in form.answers

    def test_reorder(self) -> None:
        form = filled(QS, TODAY, {"items[0].item": "a", "items[1].item": "b", "items[2].item": "c"})
        form.move_entry("items", 2, 0)
        assert [e["item"] for e in form.entries("items")] == ["c", "a", "b"]
        form.move_entry("items", 0, 1)
        assert [e["item"] for e in form.entries("items")] == ["a", "c", "b"]
        with pytest.raises(FormError):
            form.move_entry("items", 0, 3)

    def test_at_most_max_entries(self) -> None:
        form = Form(QS, today=TODAY)
        for _ in range(3):
            form.add_entry("items")
        with pytest.raises(FormError) as caught:
            form.add_entry("items")
        assert (
            caught.value.message.render(translator("en")) == "Items: you can add at most 3 entries."
        )
        # the plural form comes from the catalog, not from the English fallback
        assert "3 oppføringer" in caught.value.message.render(translator("nb"))

    def test_wrong_entry_and_group(self) -> None:
        form = Form(QS, today=TODAY)
        with pytest.raises(FormError):
            form.remove_entry("items", 0)
        with pytest.raises(FormError):
            form.add_entry("text")

    def test_required_child_in_each_entry(self) -> None:
        form = Form(QS, today=TODAY)
        form.add_entry("items")
        errors = [(str(e.path), e.message.render(translator("en"))) for e in form.errors()]
        assert errors == [("items[0].item", "Item: please answer this question.")]

    def test_a_required_group_needs_one_entry(self, kompass: Questionnaire) -> None:
        form = filled(kompass, TODAY, {"has_work_experience": "yes"})
        messages = [e.message.render(translator("en")) for e in form.errors("work")]
        assert messages == ["Jobs: add at least one."]


FLOW = """
id = "flow"
version = "1"
title = "Flow"

[[provenance]]
code = "self"
label = "The person alone"

[[sections]]
name = "one"
title = "One"

[[sections.questions]]
name = "pets"
type = "single"
choices = "yn"
label = "Pets?"
required = true

[[sections.questions]]
name = "pet_count"
type = "integer"
label = "How many?"
relevant = "pets == 'yes'"
required = true
min = 1
max = 50

[[sections.questions]]
name = "many_pets_note"
type = "note"
label = "That is a lot of pets"
relevant = "pet_count > 10 or pet_count - 10 == 0"

[[sections]]
name = "two"
title = "Two"

[[sections.questions]]
name = "comment"
type = "text"
label = "Comment"

[[choices.yn]]
code = "yes"
label = "Yes"

[[choices.yn]]
code = "no"
label = "No"
"""


@pytest.mark.parametrize(
    ("answers", "visible"),
    [
        ({}, ["pets"]),
        ({"pets": "no"}, ["pets"]),
        ({"pets": "yes"}, ["pets", "pet_count"]),
        ({"pets": "yes", "pet_count": "3"}, ["pets", "pet_count"]),
        ({"pets": "yes", "pet_count": "10"}, ["pets", "pet_count", "many_pets_note"]),
        ({"pets": "yes", "pet_count": "11"}, ["pets", "pet_count", "many_pets_note"]),
    ],
)
def test_visible_flow(answers: dict[str, str], visible: list[str]) -> None:
    form = filled(inline(FLOW), TODAY, answers)
    assert [str(i.path) for i in form.visible("one")] == visible


def test_completeness_per_section() -> None:
    form = Form(inline(FLOW), today=TODAY)
    one, two = form.progress()
    assert (one.state, one.required, one.answered_required) == ("empty", 1, 0)
    assert two.state == "complete"  # nothing required there
    form.set("pets", "yes")
    one = form.status("one")
    assert (one.state, one.required, one.answered_required) == ("incomplete", 2, 1)
    form.set("pet_count", "2")
    assert form.status("one").state == "complete"
    assert form.complete
    form.set("pets", "no")  # the count is hidden now and does not count
    assert form.status("one").required == 1
    assert form.relevant_answers() == {"pets": "no"}


def test_summary_shows_every_answer_by_section(kompass: Questionnaire) -> None:
    form = filled(kompass, TODAY, {
        "full_name": "Amina Yusuf", "birth_date": "17.05.1990", "citizenship": "SO",
        "mother_tongues": ["so", "ar"], "has_work_experience": "yes",
        "jobs[0].job_title": "Tailor", "jobs[0].occupation_group": "7", "jobs[0].job_country": "KE",
        "jobs[1].job_title": "Seller",
    })  # fmt: skip
    nb = translator("nb")
    sections = {s.name: s for s in form.summary(translator("en"))}
    assert set(sections) == {
        "start", "about_you", "languages", "education", "work", "other", "goals", "summary"
    }  # fmt: skip
    # a box to tick is listed while it is not ticked: nothing can be sent without it
    (consent,) = sections["start"].items
    assert consent.error == "I have read this and want to start: tick the box to confirm."
    assert not sections["start"].complete
    form.set("acknowledged", True)
    assert "start" not in {s.name for s in form.summary(translator("en"))}
    about = {i.label: i.text for i in sections["about_you"].items}
    assert about["Full name"] == "Amina Yusuf"
    assert about["Date of birth"] == "May 17, 1990"
    assert about["Country of citizenship"] == "Somalia"
    assert about["Phone number"] == ""
    languages = {i.label: i.text for i in sections["languages"].items}
    assert languages["Mother tongue"] == "Somali and Arabic"  # a list as CLDR writes it
    jobs = next(i for i in sections["work"].items if i.label == "Jobs")
    assert [e.title for e in jobs.entries] == ["1. Tailor", "2. Seller"]
    first = {i.label: i.text for i in jobs.entries[0].items}
    assert first["Country"] == "Kenya"
    assert first["Type of work"].startswith("Craft and trade")
    missing = next(i for i in jobs.entries[1].items if i.label == "Country")
    assert missing.error == "Country: please answer this question."
    assert not sections["work"].complete
    # the same answers, shown in Norwegian: codes become Norwegian names
    norsk = {s.name: s for s in form.summary(nb)}
    about_nb = {i.path.name: i.text for i in norsk["about_you"].items}
    assert about_nb["citizenship"] == "Somalia"
    assert about_nb["birth_date"] == "17. mai 1990"
    assert {i.path.name: i.text for i in norsk["languages"].items}[
        "mother_tongues"
    ] == "somali og arabisk"


def test_json_round_trip(kompass: Questionnaire) -> None:
    form = filled(kompass, TODAY, {
        "birth_date": "17.05.1990", "mother_tongues": ["prs"], "has_other_languages": "yes",
        "other_languages[0].language": "en", "other_languages[0].speaking": "well",
    })  # fmt: skip
    data = form.relevant_answers()
    assert data == {
        "birth_date": "1990-05-17",
        "mother_tongues": ["prs"],
        "has_other_languages": "yes",
        "other_languages": [{"language": "en", "speaking": "well"}],
        "educations": [],
    }
    again = Form.from_json(kompass, data, today=TODAY)
    assert again.get("birth_date") == dt.date(1990, 5, 17)
    assert again.relevant_answers() == data
    with pytest.raises(FormError):
        Form.from_json(kompass, {"shoe_size": 42})
    with pytest.raises(FormError):
        Form.from_json(kompass, {"jobs": [{"shoe_size": 42}]})


def test_a_complete_registration(kompass: Questionnaire) -> None:
    """A person with no schooling and no work: every required answer, nothing more."""
    form = filled(kompass, TODAY, {
        "acknowledged": True, "full_name": "Dawit Haile", "birth_date": "01.01.2000",
        "person_id": "202412345678", "permit_date": "10.11.2026", "citizenship": "ER",
        "residence": "Mottak Nord", "mother_tongues": ["ti"], "mother_tongue_literacy": "a_little",
        "latin_literacy": "no", "has_other_languages": "no", "norwegian_level": "none",
        "years_school": "0", "years_higher_education": "0", "educations[0].level": "none",
        "has_work_experience": "no",
        "has_driving_licence": "no", "digital_smartphone": "can", "digital_email": "cannot",
        "digital_forms": "cannot", "digital_text": "cannot", "digital_spreadsheets": "cannot",
        "has_courses": "no", "short_term_goals": ["norwegian", "work"],
        "long_term_goal": "Drive a bus", "confirmed": True,
    })  # fmt: skip
    assert form.errors() == []
    assert all(s.state == "complete" for s in form.progress())
    assert form.relevant_answers()["educations"] == [{"level": "none"}]
    # In the person's order of priority (kompass-v1 kept the options' order).
    assert form.relevant_answers()["short_term_goals"] == ["norwegian", "work"]


def test_answers_remembered_across_forms_are_remembered_for_their_own_question() -> None:
    """An import remembers the answers it accepted (``checked``): 18 years at school is
    accepted, and the same 18 is still refused as years of higher education (at most 15)."""
    from sporreskjema import load_builtin

    kompass = load_builtin()
    checked: dict = {}
    form = Form.from_json(kompass, {"years_school": 18}, TODAY, strict=True, checked=checked)
    assert form.get("years_school") == 18
    assert checked  # remembered
    again = Form.from_json(kompass, {"years_school": 18}, TODAY, strict=True, checked=checked)
    assert again.get("years_school") == 18
    with pytest.raises(FormError):
        Form.from_json(kompass, {"years_higher_education": 18}, TODAY, strict=True, checked=checked)
    with pytest.raises(FormError):  # a wrong value is never remembered as right
        Form.from_json(kompass, {"years_school": 21}, TODAY, strict=True, checked=checked)
    with pytest.raises(FormError):
        Form.from_json(kompass, {"years_school": 21}, TODAY, strict=True, checked=checked)


def test_lists_of_codes_remembered_across_forms_stay_each_forms_own() -> None:
    """Codes recur from record to record (["ti", "ar"]) and are remembered too: the same list
    is accepted again for its own question only, and each form gets a list of its own, so
    what one form does to its answer cannot change what the next one reads."""
    from sporreskjema import load_builtin

    kompass = load_builtin()
    checked: dict = {}
    first = Form.from_json(
        kompass, {"mother_tongues": ["ti", "ar"]}, TODAY, strict=True, checked=checked
    )
    first.get("mother_tongues").append("fa")
    second = Form.from_json(
        kompass, {"mother_tongues": ["ti", "ar"]}, TODAY, strict=True, checked=checked
    )
    assert second.get("mother_tongues") == ["ti", "ar"]
    second.get("mother_tongues").clear()
    third = Form.from_json(
        kompass, {"mother_tongues": ["ti", "ar"]}, TODAY, strict=True, checked=checked
    )
    assert third.get("mother_tongues") == ["ti", "ar"]
    with pytest.raises(FormError):  # not goals
        Form.from_json(
            kompass, {"short_term_goals": ["ti", "ar"]}, TODAY, strict=True, checked=checked
        )
    with pytest.raises(FormError):  # an unknown code, twice: never remembered as right
        Form.from_json(
            kompass, {"mother_tongues": ["ti", "xx-nope"]}, TODAY, strict=True, checked=checked
        )
    with pytest.raises(FormError):
        Form.from_json(
            kompass, {"mother_tongues": ["ti", "xx-nope"]}, TODAY, strict=True, checked=checked
        )
