"""The municipality's overview: the figures of ``kompass stats`` in words, and as a report.

:func:`overview_sections` turns the figures (:class:`~kompass_tui.storage.stats.Stats`) into
sections of labelled rows, with the bars of a chart where a section has one. The review's
overview screen and the report (:func:`overview_html`, one self-contained HTML page with the
figures as tables and the charts as inline SVG) both read that one list, so they never say
different things: a new figure is one more row there, a new family of figures one more section.

Codes from the database (languages, statuses, levels) become names in the reader's language;
whatever is shown as stored is cleaned by the one rule for stored text (``shown``) first, and
the report escapes every text. The page fetches nothing: no script, no font, no style sheet
from elsewhere (its Content-Security-Policy says so to the browser too), so it reads the same
offline, attached to a case or printed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any, Final

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from kompass_tui.exchange.printable import escaped, language_attributes
from kompass_tui.record_view import language_text, status_text
from kompass_tui.storage.errors import StorageError, file_problem
from kompass_tui.storage.stats import Period, Stats
from kompass_tui.storage.status import Status
from sporreskjema import Questionnaire, Translator, cldr, load_builtin
from sporreskjema.files import write_private
from sporreskjema.i18n import N_
from sporreskjema.text import shown

#: How a record was made, as the record view names it.
_MODES: Final = {"kiosk": N_("kiosk"), "assisted": N_("assisted"), "imported": N_("imported")}
#: The interpreter figure's keys (``Stats.interpreter``), in this order.
_INTERPRETER: Final = {"yes": N_("Yes"), "no": N_("No"), "unknown": N_("Not asked")}
#: The choice list the education levels are codes of.
_LEVELS: Final = "isced_level"
#: The key of the purges' total (``Stats.purged``); the others are statuses.
_PURGED_TOTAL: Final = "records"
#: More weeks than this along a chart's time axis start at the first week with records.
MAX_WEEKS: Final = 156


class Chart(StrEnum):
    """How a section's bars are drawn."""

    #: Upright bars along time, oldest first (the weeks).
    columns = "columns"
    #: Lying bars, one a kind, the largest first.
    bars = "bars"


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    #: Needs someone's attention (records overdue now): shown in red, or bold in the report.
    alert: bool = False


@dataclass(frozen=True)
class Point:
    """One bar of a chart: its label, a shorter one for a narrow terminal, and its count."""

    label: str
    short: str
    count: int


@dataclass(frozen=True)
class Section:
    #: Stable, for the screen's widgets and the report's anchors (``mother_tongues``).
    key: str
    title: str
    rows: tuple[Row, ...]
    chart: Chart | None = None
    #: The chart's bars (every one: a narrow screen shows the first few).
    points: tuple[Point, ...] = ()


class ReportError(StorageError):
    """The report could not be written; the message names the file and why."""


# ---------------------------------------------------------------- the figures in words


def overview_sections(
    stats: Stats, tr: Translator, questionnaire: Questionnaire | None = None
) -> list[Section]:
    """The figures in the order the overview shows them, in ``tr``'s language. Education
    levels are named by ``questionnaire``'s choices (the built-in one by default)."""
    levels = (questionnaire or load_builtin()).choices.get(_LEVELS, ())
    level_names = {choice.code: tr.gettext(choice.label) for choice in levels}
    statuses = [status.value for status in Status]
    return [
        _counted(
            "records",
            tr.gettext("Records"),
            _in_order(stats.by_status, statuses, lambda s: _capital(status_text(s, tr))),
            tr,
            total=stats.records,
            chart=Chart.bars,
        ),
        Section(
            "weeks",
            tr.gettext("By week begun"),
            tuple(Row(shown(week), number(n, tr)) for week, n in stats.by_week.items()),
            Chart.columns,
            week_points(stats),
        ),
        Section(
            "deadline",
            tr.gettext("The survey's deadline: %(days)d days after the permit")
            % {"days": stats.deadlines.survey_days},
            _deadline_rows(stats, tr),
        ),
        Section(
            "guidance",
            tr.gettext("Career guidance: %(months)d months after settlement")
            % {"months": stats.deadlines.guidance_months},
            (
                Row(tr.gettext("With a settlement date"), number(stats.with_settlement_date, tr)),
                Row(
                    tr.gettext("Deadline passed (not exported)"),
                    number(stats.guidance_overdue, tr),
                    alert=stats.guidance_overdue > 0,
                ),
                Row(tr.gettext("Due within four weeks"), number(stats.guidance_due_soon, tr)),
            ),
        ),
        _counted(
            "mother_tongues",
            tr.gettext("Mother tongues"),
            _by_count(stats.mother_tongues, lambda code: _language(code, tr)),
            tr,
            chart=Chart.bars,
        ),
        _counted(
            "answered_in",
            tr.gettext("Answered in"),
            _by_count(stats.answered_in, lambda code: (language_text(code, tr),) * 2),
            tr,
        ),
        _counted(
            "education_levels",
            tr.gettext("Education levels"),
            _in_order(stats.education_levels, list(level_names), lambda c: level_names[c]),
            tr,
        ),
        _counted(
            "modes",
            tr.gettext("Kiosk or desk"),
            _in_order(stats.modes, list(_MODES), lambda mode: _capital(tr.gettext(_MODES[mode]))),
            tr,
        ),
        _counted(
            "interpreter",
            tr.gettext("Interpreter"),
            _in_order(stats.interpreter, list(_INTERPRETER), lambda k: tr.gettext(_INTERPRETER[k])),
            tr,
        ),
        _counted(
            "purged",
            tr.gettext("Purged (anonymous counts)"),
            _in_order(
                stats.purged,
                [_PURGED_TOTAL, *statuses],
                lambda key: (
                    tr.gettext("All") if key == _PURGED_TOTAL else _capital(status_text(key, tr))
                ),
            ),
            tr,
        ),
    ]


def number(n: float, tr: Translator) -> str:
    """A count or a median as the reader's language writes numbers."""
    return format_decimal(n, locale=tr.cldr)


def period_text(period: Period, tr: Translator) -> str:
    """Which records the figures count, by the days their registrations began."""

    def day(value: dt.date) -> str:
        return format_date(value, "medium", locale=tr.cldr)

    if period.first is not None and period.last is not None:
        return tr.gettext("Records begun from %(first)s to %(last)s") % {
            "first": day(period.first),
            "last": day(period.last),
        }
    if period.first is not None:
        return tr.gettext("Records begun from %(first)s") % {"first": day(period.first)}
    if period.last is not None:
        return tr.gettext("Records begun up to %(last)s") % {"last": day(period.last)}
    return tr.gettext("Every record")


def week_points(stats: Stats) -> tuple[Point, ...]:
    """A bar for every ISO week of the period, those without records too, so that the time
    axis has no gaps: from the period's first week (or the first with records) to its last
    (or today's). The weeks as stored where one of them is not an ISO week."""
    counts: dict[dt.date, int] = {}
    for key, n in stats.by_week.items():
        monday = _monday_of_week(key)
        if monday is None:
            return tuple(Point(shown(k), shown(k), n) for k, n in stats.by_week.items())
        counts[monday] = n
    if not counts:
        return ()
    earliest, latest = min(counts), max(counts)
    first = _monday(stats.period.first) if stats.period.first else earliest
    last = max(latest, _monday(min(stats.period.last or stats.today, stats.today)))
    first = min(first, earliest)
    if (last - first).days // 7 >= MAX_WEEKS:
        first = earliest
    points = []
    week = first
    while week <= last:
        year, number_of_week, _weekday = week.isocalendar()
        points.append(
            Point(f"{year}-W{number_of_week:02d}", f"{number_of_week:02d}", counts.get(week, 0))
        )
        week += dt.timedelta(weeks=1)
    return tuple(points)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _monday_of_week(key: str) -> dt.date | None:
    """The Monday of an ISO week written ``2026-W48``; None for anything else."""
    match = re.fullmatch(r"(\d{4})-W(\d{2})", key)
    if match is None:
        return None
    try:
        return dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None


def _deadline_rows(stats: Stats, tr: Translator) -> tuple[Row, ...]:
    median = stats.median_days_to_sent
    share = stats.share_within_deadline
    within = "—"
    if share is not None:
        within = (
            f"{number(stats.sent_within_deadline, tr)} ({format_percent(share, locale=tr.cldr)})"
        )
    return (
        Row(tr.gettext("Sent, with a permit date"), number(stats.sent_with_permit, tr)),
        Row(
            tr.gettext("Median days from the permit to sending"),
            "—" if median is None else number(median, tr),
        ),
        Row(tr.gettext("Sent within the deadline"), within),
        Row(
            tr.gettext("Overdue now (not sent)"),
            number(stats.overdue_now, tr),
            alert=stats.overdue_now > 0,
        ),
        Row(tr.gettext("Sent back for clarification"), number(stats.sent_back, tr)),
    )


#: A kind of record counted: its label, a shorter label, and how many.
_Named = tuple[str, str, int]


def _counted(
    key: str,
    title: str,
    named: Sequence[_Named],
    tr: Translator,
    *,
    total: int | None = None,
    chart: Chart | None = None,
) -> Section:
    """A section of counts, a row each (after the total, if there is one), charted or not."""
    rows = [Row(label, number(n, tr)) for label, _short, n in named]
    if total is not None:
        rows.insert(0, Row(tr.gettext("All"), number(total, tr)))
    points = tuple(Point(label, short, n) for label, short, n in named) if chart else ()
    return Section(key, title, tuple(rows), chart, points)


def _by_count(counts: Mapping[str, int], name: Callable[[str], tuple[str, str]]) -> list[_Named]:
    """The most counted first (then by name): the languages."""
    named = [(label, short, n) for code, n in counts.items() for label, short in [name(code)]]
    return sorted(named, key=lambda item: (-item[2], item[0]))


def _in_order(
    counts: Mapping[str, int], order: Iterable[str], name: Callable[[str], str]
) -> list[_Named]:
    """The codes this version knows in their own order (``name`` names them), then any other
    as its cleaned code: a row written past the program is counted, never hidden."""
    known = [code for code in order if code in counts]
    named = [(name(code), name(code), counts[code]) for code in known]
    others = sorted((shown(code), n) for code, n in counts.items() if code not in known)
    return named + [(label, label, n) for label, n in others]


def _language(code: str, tr: Translator) -> tuple[str, str]:
    """A language by its name and code (``tigrinja (ti)``), and by its name alone; a code
    CLDR does not know, as its cleaned code."""
    if code not in cldr.language_codes():
        return shown(code), shown(code)
    name = shown(cldr.language_name(code, tr))
    return f"{name} ({code})", name


def _capital(text: str) -> str:
    """A name that heads a row (``in progress`` → ``In progress``), the rest as it is."""
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- the report

#: The page's style: system fonts, tables a reader can copy from, charts that fit the page.
_STYLE: Final = """
body { font-family: "Noto Sans", system-ui, sans-serif; margin: 2em; color: #111; max-width: 60em; }
:lang(ar), :lang(fa), :lang(prs), :lang(ps), :lang(ckb), :lang(ur) {
    font-family: "Noto Naskh Arabic", "Noto Sans Arabic", system-ui, sans-serif;
}
:lang(ti), :lang(am) { font-family: "Noto Sans Ethiopic", "Abyssinica SIL", system-ui, sans-serif; }
h1 { font-size: 1.4em; margin-bottom: .2em; }
h2 { font-size: 1.1em; margin-top: 1.8em; }
.period { margin: 0; }
.as-of { color: #444; margin-top: .2em; }
table { border-collapse: collapse; min-width: 24em; }
th, td { border: 1px solid #999; padding: .3em .6em; text-align: start; vertical-align: top; }
thead th { background: #eee; }
td.count { text-align: end; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.alert th, tr.alert td { font-weight: bold; color: #a00; }
.chart { margin: .5em 0 1em; }
.chart svg { width: 100%; max-width: 48em; height: auto; }
@media print { body { margin: 0; } section { break-inside: avoid; } }
"""
#: Nothing on the page may be fetched: its styles and the charts are in it.
_POLICY: Final = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
#: The charts' colour and fonts (those of the page).
_BAR_COLOUR: Final = "#2f6690"
_FONTS: Final = '"Noto Sans", system-ui, sans-serif'
#: A label beside a lying bar longer than this is cut (with "…"; the table has it whole).
_CHART_LABEL: Final = 32
#: Characters XML 1.0 does not allow (the SVG is XML): left out of a chart's labels.
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def overview_html(
    stats: Stats, tr: Translator, *, questionnaire: Questionnaire | None = None
) -> str:
    """The overview as one HTML page in ``tr``'s language (right to left where it is written
    so): which records it counts and as of which day, then each section's chart and table."""
    locale = tr.locale
    title = tr.gettext("Kompass — overview")
    parts = [
        "<!DOCTYPE html>\n",
        f"<html {language_attributes(locale)}>\n<head>\n",
        '<meta charset="utf-8">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{escaped(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n",
        f"<header>\n<h1>{escaped(title)}</h1>\n",
        f'<p class="period">{escaped(period_text(stats.period, tr))}</p>\n',
        f'<p class="as-of">{escaped(_as_of(stats, tr))}</p>\n</header>\n',
    ]
    for section in overview_sections(stats, tr, questionnaire):
        parts.append(_section_html(section, tr))
    parts.append("</body>\n</html>\n")
    return "".join(parts)


def write_overview(
    path: Path, stats: Stats, tr: Translator, *, questionnaire: Questionnaire | None = None
) -> None:
    """Write the report to ``path`` as an owner-only file (0600), whole or not at all (a
    temporary file beside it, renamed over it); :class:`ReportError` says why not."""
    page = overview_html(stats, tr, questionnaire=questionnaire).encode("utf-8")
    try:
        write_private(path, page)
    except OSError as exc:
        raise ReportError(
            file_problem(N_("Cannot write %(path)s: %(reason)s."), path, exc)
        ) from None


def _as_of(stats: Stats, tr: Translator) -> str:
    text = tr.gettext("Figures as of %(day)s.") % {
        "day": format_date(stats.today, "long", locale=tr.cldr)
    }
    if stats.statuses:
        names = ", ".join(status_text(s, tr) for s in sorted(stats.statuses))
        text += " " + tr.gettext("Only records with the status: %(statuses)s.") % {
            "statuses": names
        }
    return text


def _section_html(section: Section, tr: Translator) -> str:
    lines = [f'<section id="{escaped(section.key)}">\n<h2>{escaped(section.title)}</h2>\n']
    if section.chart is not None and section.points:
        # The axes run left to right on every page; each label keeps its own direction.
        lines.append(f'<div class="chart" dir="ltr">{_svg(section, tr)}</div>\n')
    lines.append(
        f"<table>\n<thead><tr><th>{escaped(tr.gettext('Figure'))}</th>"
        f"<th>{escaped(tr.gettext('Value'))}</th></tr></thead>\n<tbody>\n"
    )
    for row in section.rows or (Row("—", ""),):
        alert = ' class="alert"' if row.alert else ""
        lines.append(
            f'<tr{alert}><th scope="row">{escaped(row.label)}</th>'
            f'<td class="count">{escaped(row.value)}</td></tr>\n'
        )
    lines.append("</tbody>\n</table>\n</section>\n")
    return "".join(lines)


def _svg(section: Section, tr: Translator) -> str:
    """The section's chart as SVG to put in the page (pygal, without its scripts)."""
    import pygal
    from pygal.style import Style

    points = list(section.points)
    if section.chart is Chart.bars:
        points.reverse()  # pygal draws the first bar at the bottom: the largest goes on top
    top = max((point.count for point in points), default=0)
    config: dict[str, Any] = {
        "js": [],
        "disable_xml_declaration": True,
        "show_legend": False,
        "width": 800,
        "style": Style(
            background="transparent",
            plot_background="transparent",
            font_family=_FONTS,
            colors=(_BAR_COLOUR,),
            label_font_size=13,
            major_label_font_size=13,
            value_font_size=13,
        ),
        "y_labels": ticks(top),
        "value_formatter": lambda value: number(value, tr),
    }
    if section.chart is Chart.columns:
        every = -(-len(points) // 16)  # about sixteen labels along the axis at most
        chart = pygal.Bar(
            height=320,
            truncate_label=-1,
            x_label_rotation=30 if len(points) > 8 else 0,
            x_labels_major_every=every,
            show_minor_x_labels=every == 1,
            **config,
        )
    else:
        chart = pygal.HorizontalBar(
            height=90 + 28 * len(points), truncate_label=_CHART_LABEL, print_values=True, **config
        )
    # A fixed id: the same figures make the same page, and each chart's styles stay its own.
    chart.uuid = f"overview-{section.key}"
    chart.add_xml_filter(partial(_cleaned, title=section.title))
    chart.x_labels = [_NOT_XML.sub("", point.label) for point in points]
    chart.add(section.title, [point.count for point in points])
    return str(chart.render(is_unicode=True))


def ticks(top: int) -> list[int]:
    """Whole numbers from 0 up to ``top`` or just past it, in steps of 1, 2 or 5 times a
    power of ten, at most six of them: a count's axis never shows 2.5 records."""
    if top <= 0:
        return [0, 1]
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if top <= 5 * step:
                last = -(-top // step) * step
                return list(range(0, last + step, step))
        magnitude *= 10


def _cleaned(root: Any, *, title: str) -> Any:
    """The chart's tree without what the page must not have (pygal's script, which holds its
    settings and the labels, and its comments, with its web address), named by the section's
    title for a screen reader (the page's heading above it shows the same)."""
    unwanted = [
        (parent, child)
        for parent in root.iter()
        for child in parent
        if not isinstance(child.tag, str) or _local(child.tag) == "script"
    ]
    for parent, child in unwanted:
        parent.remove(child)
    for child in root:
        if _local(child.tag) == "title":
            child.text = _NOT_XML.sub("", title)
    return root


def _local(tag: str) -> str:
    """An element's name without its namespace (``{http://www.w3.org/2000/svg}title``)."""
    return tag.rsplit("}", 1)[-1]
