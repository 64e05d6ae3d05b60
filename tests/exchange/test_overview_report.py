"""The overview as a report: one HTML page that parses, holds the figures as tables and the
charts as inline SVG, runs no script and fetches nothing, escapes whatever the database
holds, reads right to left where its language does, and is written owner-only and whole;
saved from the review's overview too."""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from textual.widgets import Input

from kompass_tui.exchange.overview_report import (
    ReportError,
    overview_html,
    week_points,
    write_overview,
)
from kompass_tui.i18n import _, current
from kompass_tui.review.app import ReviewApp
from kompass_tui.review.screens.overview import OverviewScreen, SaveReportDialog
from kompass_tui.review.screens.record_list import RecordListScreen
from kompass_tui.storage.database import Database
from kompass_tui.storage.deadlines import Deadlines
from kompass_tui.storage.stats import Period, Stats
from sporreskjema import translator
from tests.support.helpers import TODAY
from tests.support.html_tree import Element, parse
from tests.support.overview import begun_in, people, store
from tests.support.review import log_in, wait_for
from tests.support.slow_work import until

#: The namespaces an inline SVG names: identifiers, never fetched.
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
SCRIPT = "<script>alert(1)</script>"


def stats(**figures: object) -> Stats:
    made = Stats(Period(dt.date(2026, 9, 7), TODAY), frozenset(), TODAY)
    made.records = 10
    made.by_status = {"in_progress": 4, "submitted": 6}
    made.by_week = {"2026-W37": 3, "2026-W40": 2, "2026-W48": 5}
    made.sent_with_permit = 6
    made.median_days_to_sent = 7.5
    made.sent_within_deadline = 5
    made.overdue_now = 2
    made.sent_back = 1
    made.with_settlement_date = 4
    made.guidance_overdue = 1
    made.guidance_due_soon = 2
    made.mother_tongues = {"ti": 5, "ar": 3, "prs": 1}
    made.answered_in = {"ti": 5, "fa_AF": 3}
    made.education_levels = {"primary": 2, "bachelor": 1}
    made.modes = {"kiosk": 7, "assisted": 3}
    made.interpreter = {"yes": 2, "no": 1, "unknown": 7}
    made.purged = {"records": 9, "exported": 7, "in_progress": 2}
    for name, value in figures.items():
        setattr(made, name, value)
    return made


def table(page: Element, section: str) -> dict[str, str]:
    """A section's table: label → value."""
    found = page.find("section", id=section)
    return {row.find("th").text: row.find("td").text for row in found.find("tbody").iter("tr")}


def test_the_report_holds_the_figures_as_tables_and_charts() -> None:
    page = overview_html(stats(), translator("en"))
    tree = parse(page)
    html = tree.find("html")
    assert (html.attrs["lang"], html.attrs["dir"]) == ("en", "ltr")
    assert tree.find("h1").text == "Kompass — overview"
    assert tree.find("p", class_="period").text == "Records begun from Sep 7, 2026 to Nov 27, 2026"
    assert table(tree, "records") == {"All": "10", "In progress": "4", "Submitted": "6"}
    survey = tree.find("section", id="deadline")
    assert survey.find("h2").text == "The survey's deadline: 14 days after the permit"
    assert table(tree, "deadline") == {
        "Sent, with a permit date": "6",
        "Median days from the permit to sending": "7.5",
        "Sent within the deadline": "5 (83%)",
        "Overdue now (not sent)": "2",
        "Sent back for clarification": "1",
    }
    assert survey.find("tr", class_="alert").find("td").text == "2"
    assert table(tree, "guidance") == {
        "With a settlement date": "4",
        "Deadline passed (not exported)": "1",
        "Due within four weeks": "2",
    }
    assert table(tree, "mother_tongues") == {
        "Tigrinya (ti)": "5", "Arabic (ar)": "3", "Dari (prs)": "1",
    }  # fmt: skip
    assert table(tree, "interpreter") == {"Yes": "2", "No": "1", "Not asked": "7"}
    assert table(tree, "purged") == {"All": "9", "In progress": "2", "Exported": "7"}
    # A chart of the statuses, the weeks (every week of the period, those without records too)
    # and the mother tongues; each is XML of its own, drawn left to right.
    charts = list(tree.iter("div", class_="chart"))
    assert [chart.ancestor("section").attrs["id"] for chart in charts] == [  # type: ignore[union-attr]
        "records", "weeks", "mother_tongues",
    ]  # fmt: skip
    assert all(chart.attrs["dir"] == "ltr" for chart in charts)
    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)
    assert len(svgs) == 3
    weeks = ET.fromstring(svgs[1])
    labels = [t.text for t in weeks.iter("{http://www.w3.org/2000/svg}text") if t.text]
    assert "2026-W37" in labels
    assert "2026-W38" in labels  # a week without records
    assert "Tigrinya (ti)" in svgs[2]


def test_the_report_runs_and_fetches_nothing() -> None:
    page = overview_html(stats(), translator("nb"))
    tree = parse(page)
    assert "<script" not in page.lower()
    assert not [
        (element.tag, name)
        for element in tree.iter()
        for name in element.attrs
        if name.lower().startswith("on") or name.lower() in ("href", "src", "xlink:href")
    ]
    assert set(re.findall(r"https?://[^\s\"'<>)]+", page)) <= NAMESPACES
    assert "@import" not in page
    assert "url(" not in page
    policy = tree.find("meta", http_equiv="Content-Security-Policy").attrs["content"]
    assert policy.startswith("default-src 'none';")


def test_hostile_text_is_escaped() -> None:
    """Codes and labels come from the database, which may hold anything: shown as text in the
    tables and the charts, never as markup, and without the controls a terminal would act on."""
    hostile = stats(
        by_status={SCRIPT: 1},
        by_week={f"2026-W48{SCRIPT}": 1},
        mother_tongues={SCRIPT: 2, "ti\x1b[31m": 1},
        education_levels={'"><img src=x onerror=alert(1)>': 1},
        modes={"\u202ekiosk": 1},
    )
    page = overview_html(hostile, translator("en"))
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert "\x1b" not in page
    assert "\u202e" not in page
    tree = parse(page)
    assert table(tree, "records")[SCRIPT] == "1"
    assert table(tree, "weeks") == {f"2026-W48{SCRIPT}": "1"}
    assert table(tree, "mother_tongues") == {SCRIPT: "2", "ti": "1"}
    assert table(tree, "education_levels") == {'"><img src=x onerror=alert(1)>': "1"}
    assert table(tree, "modes") == {"kiosk": "1"}
    for svg in re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL):
        ET.fromstring(svg)  # still well-formed XML
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(("locale", "lang"), [("ar", "ar"), ("fa_AF", "fa-AF")])
def test_right_to_left_languages(locale: str, lang: str) -> None:
    tr = translator(locale)
    tree = parse(overview_html(stats(), tr))
    html = tree.find("html")
    assert (html.attrs["lang"], html.attrs["dir"]) == (lang, "rtl")
    assert tree.find("h1").text == tr.gettext("Kompass — overview")
    assert all(chart.attrs["dir"] == "ltr" for chart in tree.iter("div", class_="chart"))


def test_a_period_without_records_has_tables_and_no_charts() -> None:
    empty = Stats(Period(), frozenset(), TODAY)
    tree = parse(overview_html(empty, translator("en")))
    assert table(tree, "records") == {"All": "0"}
    assert table(tree, "mother_tongues") == {"—": ""}
    assert not list(tree.iter("div", class_="chart"))
    assert tree.find("p", class_="period").text == "Every record"


def test_the_weeks_have_no_gaps_and_the_period_bounds_them() -> None:
    found = stats(by_week={"2026-W47": 2, "2026-W45": 1})
    points = week_points(found)
    assert points[0].label == "2026-W37"  # the period's first week
    assert points[-1].label == "2026-W48"  # today's
    assert [p.count for p in points if p.label in ("2026-W45", "2026-W46", "2026-W47")] == [1, 0, 2]
    assert [p.short for p in points[:2]] == ["37", "38"]


def test_written_owner_only_and_whole(tmp_path: Path) -> None:
    path = tmp_path / "overview.html"
    umask = os.umask(0)  # whatever the umask allows
    try:
        write_overview(path, stats(), translator("nb"))
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "<svg" in path.read_text("utf-8")
    missing = tmp_path / "no such folder" / "overview.html"
    with pytest.raises(ReportError) as refused:
        write_overview(missing, stats(), translator("en"))
    message = refused.value.message.render(translator("en"))
    assert message.startswith(f"Cannot write {missing}: ")
    assert [p.name for p in tmp_path.iterdir()] == ["overview.html"]  # nothing half-written


async def test_saved_from_the_overview(sqlite_db: Database, tmp_path: Path) -> None:
    """S in the overview asks where (today's file in the home folder unless told otherwise),
    writes the period shown there owner-only, and says so; a folder that is not there keeps
    the dialog open with the reason."""
    made = people()
    store(sqlite_db, made)
    app = ReviewApp(sqlite_db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await wait_for(pilot, RecordListScreen)
        await pilot.press("o")
        screen = await wait_for(pilot, OverviewScreen)
        await pilot.press("s")
        dialog = await wait_for(pilot, SaveReportDialog)
        field = dialog.query_one("#path", Input)
        assert field.value == "~/kompass-overview-2026-11-27.html"

        nowhere = tmp_path / "missing" / "overview.html"
        field.value = str(nowhere)
        await pilot.press("enter")
        refusal = _("Cannot write %(path)s: %(reason)s.") % {
            "path": str(nowhere),
            "reason": os.strerror(errno.ENOENT),
        }
        error = dialog.query_one(".dialog-error")
        await until(pilot, lambda: str(error.render()) == refusal)
        assert app.screen is dialog
        assert field.value == str(nowhere)  # as typed, to be put right

        target = tmp_path / "overview.html"
        field.value = str(target)
        await pilot.click("#save")
        await until(pilot, lambda: app.screen is screen)
        await pilot.pause()
        assert str(screen.query_one("#overview-status").render()) == _("Saved: %(path)s") % {
            "path": str(target)
        }
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not nowhere.parent.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    page = parse(target.read_text("utf-8"))
    twelve_weeks = Period(TODAY - dt.timedelta(days=TODAY.weekday(), weeks=11), TODAY)
    shown = table(page, "records")
    assert shown[current().gettext("All")] == str(len(begun_in(made, twelve_weeks)))
    assert page.find("html").attrs["lang"] == "nb"


def test_the_municipalitys_own_deadlines_head_their_sections() -> None:
    own = stats(deadlines=Deadlines(survey_days=21, guidance_months=2))
    tree = parse(overview_html(own, translator("en")))
    assert tree.find("section", id="deadline").find("h2").text == (
        "The survey's deadline: 21 days after the permit"
    )
    assert tree.find("section", id="guidance").find("h2").text == (
        "Career guidance: 2 months after settlement"
    )
