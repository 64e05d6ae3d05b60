"""The printable record (the export's HTML) holds everything the review shows about a record:
the facts (status, interpreter, caseworker), who gave each answer, the remarks under their
sections, and the corrections, in the reader's language beside the person's. The page is
parsed, so each fact is checked where it is shown."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from kompass_tui.exchange.export import Format, export
from kompass_tui.exchange.records import Selection
from kompass_tui.i18n import set_locale
from kompass_tui.record_view import build_report, when
from kompass_tui.storage import review
from kompass_tui.storage.database import Database
from sporreskjema import Questionnaire, translator
from tests.support.exchange import HOSTILE, caseworker, register
from tests.support.html_tree import Element, parse

#: What the page must say in each reader's language, as the review says it.
READERS = {
    "nb": {
        "status": ("Status", "kvalitetssikret"),
        "interpreter": ("Tolk", "arabisk, På telefon, Nasjonalt tolkeregister nr. 4711"),
        "answered_in": ("Svart på", "arabisk (ar)"),
        "education": "Utdanning",
        "work": "Arbeidserfaring",
        "caseworker_given": "Registrert av saksbehandler",
        "interpreter_given": "Med tolk",
        "self_given": "Personen alene",
        "remark": "Merknad",
        "whole": "Merknader til hele posten",
    },
    "en": {
        "status": ("Status", "reviewed"),
        "interpreter": ("Interpreter", "Arabic, By phone, Nasjonalt tolkeregister no. 4711"),
        "answered_in": ("Answered in", "Arabic (ar)"),
        "education": "Education",
        "work": "Work experience",
        "caseworker_given": "Entered by a caseworker",
        "interpreter_given": "Through an interpreter",
        "self_given": "The person alone",
        "remark": "Remark",
        "whole": "Remarks on the whole record",
    },
}


def _record(db: Database, kompass: Questionnaire) -> tuple[uuid.UUID, int]:
    """Rami's record (Arabic): an interpreter by phone, one answer given through the
    interpreter, a remark on Education and on Work, a counsellor's note, a correction."""
    worker = caseworker(db)
    record_id = register(db, kompass, worker)
    review.add_remark(
        db, record_id=record_id, actor_id=worker, questionnaire=kompass, section="education",
        text="Diploma seen.\nSecond line.",
    )  # fmt: skip
    tables = SQLModel.metadata.tables
    with db.connection() as connection:
        connection.execute(
            sa.update(tables["record"]).values(
                interpreter_used=True, interpreter_language="ar", interpreter_channel="phone",
                interpreter_registry_number="4711", caseworker_id=worker,
            )
        )  # fmt: skip
        connection.execute(
            sa.update(tables["answer"])
            .where(tables["answer"].c.path == "years_school")
            .values(provenance="interpreter")
        )
    return record_id, worker


@pytest.mark.parametrize("reader", ["nb", "en"])
def test_the_printable_record_holds_what_the_review_shows(
    sqlite_db: Database, kompass: Questionnaire, tmp_path: Path, reader: str
) -> None:
    record_id, worker = _record(sqlite_db, kompass)
    words = READERS[reader]
    set_locale(reader)
    out = tmp_path / "record.html"
    export(sqlite_db, fmt=Format.html, out=out, selection=Selection(), actor_id=worker, mark=False)
    page = parse(out.read_text("utf-8"))
    tr = translator(reader)
    # The page counts the days to the deadline from the day it is printed.
    view = review.load_view(sqlite_db, record_id)
    report = build_report(view, kompass, tr, dt.date.today())
    (article,) = page.iter("article")
    assert article.attrs["lang"] == reader

    # Every fact the review shows, as the review words it (times in the reader's format).
    facts = {
        row.find("th").text: row.find("td").text for row in article.find(class_="facts").iter("tr")
    }
    assert facts == dict(report.facts)
    for key in ("status", "interpreter", "answered_in"):
        label, value = words[key]
        assert facts[label] == value
    assert facts[tr.gettext("Caseworker")] == "Kari Nordmann"
    # Times as the reader's language writes them (Babel), not ISO timestamps.
    assert facts[tr.gettext("Started")] == when(view.record.started_at, tr)
    assert view.record.started_at.isoformat()[:10] not in facts[tr.gettext("Started")]

    # Sections by their titles in the reader's language, the person's beside them.
    sections = {s.attrs["data-section"]: s for s in article.iter("section", class_="section")}
    assert sections["education"].find("h2").text.startswith(words["education"])
    assert sections["education"].find("span", lang="ar").text == translator("ar").gettext(
        kompass.section("education").title
    )

    # The columns: the person's language and the reader's, named in the reader's language.
    header = next(sections["education"].find("table").iter("tr"))
    assert [th.text for th in header.iter("th")] == [
        words["answered_in"][1], {"nb": "norsk bokmål (nb)", "en": "English (en)"}[reader],
        tr.gettext("Who"),
    ]  # fmt: skip

    # Who gave each answer and where, on its own row; the corrected answer marked.
    def row(path: str) -> Element:
        return article.find("tr", data_path=path)

    at_kiosk, in_review = tr.gettext("at a kiosk"), tr.gettext("in the review")
    assert row("years_school").find("td", class_="given-by").text == (
        f"{words['interpreter_given']}, {at_kiosk}"
    )
    assert row("full_name").find("td", class_="given-by").text == (
        f"{words['self_given']}, {at_kiosk}"
    )
    corrected = row("jobs[0].from_year")
    assert corrected.find("td", class_="given-by").text == (
        f"{words['caseworker_given']}, {in_review}"
    )
    assert "corrected" in corrected.attrs["class"].split()
    assert corrected.find("td", class_="ours").text.endswith("2011")
    assert corrected.find("td", lang="ar").text.endswith("2011")
    # A repeat group heads its entries: no "—" as if it had none.
    assert row("educations").find("td", class_="ours").text == tr.gettext(
        kompass.question("educations").label
    )
    # A question not answered: its words and "—" on one line, in both languages, the row
    # marked (greyed), no one named as having given it.
    unanswered = row("email")
    assert "unanswered" in unanswered.attrs["class"].split()
    email = kompass.question("email").label
    assert unanswered.find("td", class_="ours").text == f"{tr.gettext(email)} —"
    assert unanswered.find("td", lang="ar").text == f"{translator('ar').gettext(email)} —"
    assert unanswered.find("td", class_="given-by").text == ""
    assert "unanswered" not in row("full_name").attrs["class"].split()

    # The remark on Education is under Education, with the author's full name and the time.
    education = next(s for s in report.sections if s.name == "education")
    (remark,) = sections["education"].iter("li", class_="remark")
    assert remark.find("p", class_="meta").text == (
        f"{words['remark']} · Kari Nordmann · {education.remarks[0].when}"
    )
    assert remark.find("p", class_="text").text == "Diploma seen.\nSecond line."
    (work_remark,) = sections["work"].iter("li", class_="remark")
    assert HOSTILE.split(" \x1b")[0] in work_remark.find("p", class_="text").text
    whole = article.find("section", class_="whole-record")
    assert whole.find("h2").text == words["whole"]
    (note,) = whole.iter("li")
    assert note.find("p", class_="text").text == "Wants to work with power grids."
    assert "Kari Nordmann" in note.find("p", class_="meta").text

    # The correction: when, who, which question, old → new, the reason.
    (change,) = article.find("section", class_="corrections").iter("li")
    (history,) = report.history
    assert change.find("p", class_="meta").text == (
        f"{history.when} · Kari Nordmann · {history.question}"
    )
    assert change.find("p", class_="change").text == "2010 → 2011"
    assert change.find("p", class_="reason").text == (
        tr.gettext("Reason: %(reason)s") % {"reason": "Work certificate says 2011"}
    )
    # No user name, raw section key or ISO time where the review shows words.
    text = article.text
    assert "kari" not in text.replace("Kari", "")
    assert "+00:00" not in text
