"""A record as the municipality reads it: by section, in the reviewer's language, with who gave
each answer, the remarks and the history of corrections. Built once, shown by `kompass show`
and by the review screen alike.

Free text is shown as the person typed it (in whatever language they wrote); codes become
names in the reviewer's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from babel.dates import format_date, format_datetime

from kompass_tui.storage.answers import nest_answers
from kompass_tui.storage.deadlines import Deadlines
from kompass_tui.storage.models import Place, Record, RemarkKind, Status
from kompass_tui.storage.review import (
    LAW,
    RecordView,
    days_late,
    days_left,
    deadline,
    guidance_days_left,
    overdue,
    status_msg,
)
from sporreskjema import (
    Form,
    FormError,
    Path,
    Questionnaire,
    Translator,
    cldr,
    load_builtin,
    questionnaire_of,
    values,
)
from sporreskjema.engine import SummaryItem
from sporreskjema.i18n import LOCALES, N_, Msg, Nn_
from sporreskjema.text import shown

REMARK_KINDS = {
    RemarkKind.remark: N_("Remark"),
    RemarkKind.counsellor_note: N_("Career counsellor's note"),
    RemarkKind.sent_back: N_("Sent back for clarification"),
}


@dataclass(frozen=True)
class AnswerLine:
    path: str
    label: str
    text: str
    #: Who gave the answer, in words ("The person alone", "Entered by a caseworker").
    given_by: str
    depth: int = 0
    corrected: bool = False
    #: The line heads the lines below it (a repeat group above its entries, an entry above its
    #: answers): its label alone, no value of its own to show.
    heading: bool = False
    #: Where it was given, in words ("at a kiosk", "at the desk", "in the review"); empty
    #: when that was not recorded.
    given_at: str = ""

    @property
    def given(self) -> str:
        """Who gave it and where, as one phrase ("The person alone, at a kiosk")."""
        return ", ".join(part for part in (self.given_by, self.given_at) if part)


#: Where an answer was given (``answer.place``), in words.
PLACE_NAMES: Final[dict[str, str]] = {
    Place.kiosk: N_("at a kiosk"),
    Place.desk: N_("at the desk"),
    Place.review: N_("in the review"),
}


def place_text(place: str | None, tr: Translator) -> str:
    """Where an answer was given, in words; empty when it was not recorded."""
    if place is None:
        return ""
    name = PLACE_NAMES.get(place)
    return tr.gettext(name) if name is not None else shown(place)


@dataclass(frozen=True)
class RemarkLine:
    when: str
    author: str
    kind: str
    text: str
    counsellor: bool
    #: What a reviewer asked to clear up when sending the record back.
    sent_back: bool = False


@dataclass(frozen=True)
class HistoryLine:
    when: str
    author: str
    question: str
    old: str
    new: str
    reason: str


@dataclass
class SectionReport:
    name: str
    title: str
    lines: list[AnswerLine] = field(default_factory=list)
    remarks: list[RemarkLine] = field(default_factory=list)


@dataclass
class RecordReport:
    title: str
    #: (label, value) pairs about the record itself.
    facts: list[tuple[str, str]]
    overdue: bool
    sections: list[SectionReport]
    #: Remarks on the whole record (not on one section).
    remarks: list[RemarkLine]
    history: list[HistoryLine]
    #: While the record is sent back for clarification: what the reviewer asked, shown on top.
    clarification: RemarkLine | None = None


def _safe(text: str) -> str:
    """Stored text that may run over lines (an answer, a remark), by the one rule for showing
    stored text."""
    return shown(text, multiline=True)


def when(moment: dt.datetime, tr: Translator) -> str:
    return format_datetime(moment, "short", tzinfo=dt.UTC, locale=tr.cldr) + " UTC"


class _Sent(Protocol):
    """What the survey's deadline is told from: a record, or a row of the list."""

    @property
    def permit_date(self) -> dt.date | None: ...
    @property
    def status(self) -> str: ...
    @property
    def submitted_at(self) -> dt.datetime | None: ...


def deadline_text(record: _Sent, today: dt.date, tr: Translator, deadlines: Deadlines = LAW) -> str:
    """The survey's deadline as the list and record say it: the days left to it (or past it)
    until the record is sent; once sent, whether the first sending was in time (which stays
    true, where a count from today would grow on a record long done)."""
    left = days_left(record.permit_date, today, deadlines)
    if left is None:
        return tr.gettext("no permit date")
    if record.status == Status.in_progress:
        return _days_left_text(left, tr)
    late = days_late(record.permit_date, record.submitted_at, deadlines)
    if late is None:  # sent, but when is not known (a record imported so)
        return status_text(record.status, tr)
    if late <= 0:
        return tr.gettext("sent in time")
    return Msg.plural(Nn_("sent %(n)d day late", "sent %(n)d days late"), late).render(tr)


def guidance_text(
    settlement_date: dt.date | None, today: dt.date, tr: Translator, deadlines: Deadlines = LAW
) -> str:
    """The days left to the career guidance's deadline (or past it); empty when the
    settlement date is not recorded."""
    left = guidance_days_left(settlement_date, today, deadlines)
    return "" if left is None else _days_left_text(left, tr)


def _days_left_text(left: int, tr: Translator) -> str:
    if left < 0:
        return Msg.plural(Nn_("overdue by %(n)d day", "overdue by %(n)d days"), -left).render(tr)
    if left == 0:
        return tr.gettext("due today")
    return Msg.plural(Nn_("%(n)d day left", "%(n)d days left"), left).render(tr)


def questionnaire_of_record(record: Record) -> Questionnaire:
    """The questionnaire the record was answered in (its id and version, cached), so a record
    on kompass-v1 is shown, corrected and exported by v1's questions after v2 is the built-in
    one; the built-in questionnaire only for a record naming one Kompass does not have."""
    return questionnaire_of(record.questionnaire_id, record.questionnaire_version) or load_builtin()


def build_report(
    view: RecordView, questionnaire: Questionnaire, tr: Translator, today: dt.date
) -> RecordReport:
    record = view.record
    flat = view.answer_values()
    provenance = {answer.path: answer.provenance for answer in view.answers}
    places = {answer.path: answer.place for answer in view.answers}
    corrected = {c.path for c in view.corrections}
    form = stored_form(questionnaire, flat, today)
    given = {p.code: tr.gettext(p.label) for p in questionnaire.provenance}
    sections: list[SectionReport] = []

    def answer_line(item: SummaryItem, depth: int) -> AnswerLine:
        path = str(item.path)
        code = provenance.get(path, "")
        given_by = given.get(code, shown(code))
        return AnswerLine(
            path,
            item.label,
            _safe(item.text),
            given_by,
            depth,
            corrected=path in corrected,
            # A repeat group with entries heads them; with none, it shows "—" like any
            # question without an answer.
            heading=bool(item.entries),
            given_at=place_text(places.get(path), tr),
        )

    for summary in form.summary(tr):
        report = SectionReport(summary.name, summary.title)
        for item in summary.items:
            report.lines.append(answer_line(item, 0))
            for entry in item.entries:
                report.lines.append(
                    AnswerLine(str(item.path), _safe(entry.title), "", "", depth=1, heading=True)
                )
                report.lines.extend(answer_line(child, 2) for child in entry.items)
        sections.append(report)
    by_name = {s.name: s for s in sections}
    for section in questionnaire.sections:  # a remark on a section with no answers still shows
        if section.name not in by_name:
            by_name[section.name] = SectionReport(section.name, tr.gettext(section.title))
            sections.append(by_name[section.name])
    order = [s.name for s in questionnaire.sections]
    sections.sort(key=lambda s: order.index(s.name))
    whole: list[RemarkLine] = []
    for remark in view.remarks:
        line = RemarkLine(
            when(remark.created_at, tr),
            shown(view.author(remark.author_id)),
            _remark_kind(remark.kind, tr),
            _safe(remark.text),
            remark.kind == RemarkKind.counsellor_note,
            remark.kind == RemarkKind.sent_back,
        )
        if remark.section in by_name:
            by_name[remark.section].remarks.append(line)
        else:
            whole.append(line)
    history = [
        HistoryLine(
            when(c.created_at, tr),
            shown(view.author(c.author_id)),
            _question_label(questionnaire, c.path, tr),
            _shown(questionnaire, c.path, c.old_value, tr),
            _shown(questionnaire, c.path, c.new_value, tr),
            _safe(c.reason),
        )
        for c in view.corrections
    ]
    return RecordReport(
        title=shown(record.full_name or tr.gettext("(no name yet)")),
        facts=_facts(view, tr, today),
        overdue=overdue(record.permit_date, record.status, today, view.deadlines),
        sections=sections,
        remarks=whole,
        history=history,
        clarification=next(
            (line for line in reversed(whole) if line.sent_back)
            if record.status == Status.sent_back
            else iter(()),
            None,
        ),
    )


def _facts(view: RecordView, tr: Translator, today: dt.date) -> list[tuple[str, str]]:
    record = view.record
    due = deadline(record.permit_date, view.deadlines)
    facts = [
        (tr.gettext("Record"), str(record.id)),
        (tr.gettext("Status"), status_text(record.status, tr)),
        (
            tr.gettext("Needs follow-up"),
            tr.gettext("Yes") if record.needs_follow_up else tr.gettext("No"),
        ),
        (tr.gettext("Identifier"), record.person_key or "—"),
        (
            tr.gettext("Permit date"),
            format_date(record.permit_date, "long", locale=tr.cldr) if record.permit_date else "—",
        ),
        (
            tr.gettext("Deadline"),
            (format_date(due, "long", locale=tr.cldr) + " · " if due else "")
            + deadline_text(record, today, tr, view.deadlines),
        ),
        (tr.gettext("Answered in"), language_text(record.locale, tr)),
        (
            tr.gettext("Mode"),
            tr.gettext(_MODES[record.mode]) if record.mode in _MODES else record.mode,
        ),
        (tr.gettext("Started"), when(record.started_at, tr)),
    ]
    if len(record.locales_used) > 1:
        facts.append(
            (
                tr.gettext("Languages shown"),
                ", ".join(language_text(code, tr) for code in record.locales_used),
            )
        )
    if record.submitted_at:
        facts.append((tr.gettext("Submitted"), when(record.submitted_at, tr)))
    if record.delivered_at:
        facts.append(
            (
                tr.gettext("Delivered"),
                tr.gettext("from kiosk %(kiosk)s, %(when)s")
                % {"kiosk": record.kiosk or "—", "when": when(record.delivered_at, tr)},
            )
        )
    if record.collected_with:
        facts.append((tr.gettext("Collected with"), record.collected_with))
    if record.reviewed_at:
        facts.append((tr.gettext("Reviewed"), when(record.reviewed_at, tr)))
    if record.settlement_date is not None:
        guidance = view.deadlines.guidance_due(record.settlement_date)
        facts.append(
            (tr.gettext("Settled"), format_date(record.settlement_date, "long", locale=tr.cldr))
        )
        facts.append(
            (
                tr.gettext("Career guidance by"),
                (format_date(guidance, "long", locale=tr.cldr) + " · " if guidance else "")
                + guidance_text(record.settlement_date, today, tr, view.deadlines),
            )
        )
    if record.caseworker_id is not None:
        facts.append((tr.gettext("Caseworker"), view.author(record.caseworker_id)))
    if record.interpreter_used is not None:
        facts.append((tr.gettext("Interpreter"), interpreter_text(record, tr)))
    # Every fact is one line, by the one rule for stored text: the identifier, the mode and
    # the codes come from the database, which may hold anything.
    return [(label, shown(value)) for label, value in facts]


#: How an interpreter takes part (``records.INTERPRETER_CHANNELS``).
CHANNELS: Final = {"on_site": N_("On site"), "phone": N_("By phone"), "video": N_("By video")}


def interpreter_text(record: Record, tr: Translator) -> str:
    """ "No", or the interpreter's language, how they took part and their registry number."""
    if not record.interpreter_used:
        return tr.gettext("No")
    parts = []
    if record.interpreter_language:
        code = record.interpreter_language
        # An unknown code is shown as its cleaned code.
        parts.append(cldr.language_name(code, tr) if code in cldr.language_codes() else shown(code))
    if record.interpreter_channel:
        channel = CHANNELS.get(record.interpreter_channel)
        parts.append(tr.gettext(channel) if channel else shown(record.interpreter_channel))
    if record.interpreter_registry_number:
        parts.append(
            tr.gettext("Nasjonalt tolkeregister no. %(number)s")
            % {"number": shown(record.interpreter_registry_number)}
        )
    return ", ".join(part for part in parts if part) or tr.gettext("Yes")


_MODES = {"kiosk": N_("kiosk"), "assisted": N_("assisted"), "imported": N_("imported")}


def status_text(status: str, tr: Translator) -> str:
    """A record's status in words; a status this version does not know, as its cleaned code."""
    try:
        return status_msg(Status(status)).render(tr)
    except ValueError:
        return shown(status)


def _remark_kind(kind: str, tr: Translator) -> str:
    try:
        return tr.gettext(REMARK_KINDS[RemarkKind(kind)])
    except ValueError:
        return shown(kind)


#: The language code (``cldr.language_codes``) of a locale whose code is not one.
_LOCALE_LANGUAGE: Final = {"fa_AF": "prs"}


def language_text(locale: str, tr: Translator) -> str:
    """A locale the program has, by its name in the reader's language (``dari (fa_AF)`` in
    Norwegian, never its own name ``دری``, which the reader may not read); any other, as its
    cleaned code."""
    if locale in LOCALES:
        return f"{cldr.language_name(_LOCALE_LANGUAGE.get(locale, locale), tr)} ({locale})"
    return shown(locale)


def stored_form(questionnaire: Questionnaire, flat: dict[str, Any], today: dt.date) -> Form:
    """The stored answers as a form. Answers that this questionnaire cannot hold (an unknown
    question, a value of the wrong form: a row written past the program) are left out rather
    than keep the whole record from being shown."""
    try:
        return Form.from_json(questionnaire, nest_answers(flat), today=today)
    except (FormError, ValueError, TypeError, KeyError):
        pass
    kept: dict[str, Any] = {}
    for path, value in flat.items():
        try:
            Form.from_json(questionnaire, nest_answers({path: value}), today=today)
        except (FormError, ValueError, TypeError, KeyError):
            continue
        kept[path] = value
    try:
        return Form.from_json(questionnaire, nest_answers(kept), today=today)
    except (FormError, ValueError, TypeError, KeyError):
        return Form(questionnaire, today=today)


def _question(questionnaire: Questionnaire, path: str) -> tuple[Path, Any] | None:
    """The question a stored path names, or None if this questionnaire has no such question."""
    try:
        parsed = Path.parse(path)
    except ValueError:
        return None
    if not questionnaire.has_question(parsed.name):
        return None
    question = questionnaire.question(parsed.name)
    if question.group != parsed.group:
        return None
    return parsed, question


def _question_label(questionnaire: Questionnaire, path: str, tr: Translator) -> str:
    found = _question(questionnaire, path)
    if found is None:  # a correction on a path this questionnaire does not have
        return shown(path)
    parsed, question = found
    label = tr.gettext(question.label)
    if parsed.group is not None and parsed.index is not None:
        group = tr.gettext(questionnaire.question(parsed.group).label)
        return f"{group} {parsed.index + 1}: {label}"
    return label


def _shown(questionnaire: Questionnaire, path: str, value: Any, tr: Translator) -> str:
    if value is None:
        return "—"
    found = _question(questionnaire, path)
    if found is None:
        return _safe(str(value))
    question = found[1]
    try:
        return _safe(values.display(question, values.decode(question, value), questionnaire, tr))
    except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError):
        # A value of another form than the question's (a number that is text, …).
        return _safe(str(value))
