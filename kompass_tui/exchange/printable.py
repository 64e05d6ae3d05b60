"""The printable record: one exported record as an HTML page, saying everything the review
says about it, from the same record view (:func:`kompass_tui.record_view.build_report`).

The facts (status, interpreter, caseworker, dates), who gave each answer, the remarks under
their sections, the counsellor's notes and the corrections are in the reader's language; each
answer is shown in the person's language beside it. Authors are named by their full names, and
times are written as the reader's language writes them.

Every text is cleaned by the one rule for stored text (``shown``) and escaped.

The page (:func:`page_start`, the articles, :data:`PAGE_END`) is the one template of both the
HTML export and the PDF (:mod:`kompass_tui.exchange.pdf` lays the same page out for print), so
the two never say different things.
"""

from __future__ import annotations

import datetime as dt
import html
import uuid
from collections.abc import Mapping
from typing import Any, Final

import sqlalchemy as sa

from kompass_tui.exchange.records import CASEWORKER, without_derived
from kompass_tui.record_view import (
    AnswerLine,
    RecordReport,
    RemarkLine,
    build_report,
    language_text,
)
from kompass_tui.storage.answers import flat_answers
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Answer, Correction, Record, Remark
from kompass_tui.storage.review import RecordView
from sporreskjema import Questionnaire, Translator, questionnaire_of
from sporreskjema.i18n import LOCALES, is_rtl, translator
from sporreskjema.text import shown

#: The page's style. The fonts: the Noto families that the PDF embeds (a browser without them
#: takes its own), Arabic script in Noto Naskh Arabic, Ethiopic in Noto Sans Ethiopic.
PAGE_STYLE: Final = """
body { font-family: "Noto Sans", system-ui, sans-serif; margin: 2em; color: #111; }
:lang(ar), :lang(fa), :lang(prs), :lang(ps), :lang(ckb), :lang(ur) {
    font-family: "Noto Naskh Arabic", "Noto Sans Arabic", system-ui, sans-serif;
}
:lang(ti), :lang(am) { font-family: "Noto Sans Ethiopic", "Abyssinica SIL", system-ui, sans-serif; }
article + article { break-before: page; margin-top: 3em; }
h1 { font-size: 1.4em; }
h2 { font-size: 1.1em; margin-top: 1.5em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: .3em .5em; vertical-align: top; text-align: start; }
th { background: #eee; }
.facts th { width: 30%; }
.depth-1 td { padding-inline-start: 1.5em; }
.depth-2 td { padding-inline-start: 3em; }
.corrected td { background: #fff6d5; }
.unanswered td { color: #555; }
.given-by { color: #444; width: 20%; }
.remarks, .corrections ul { padding-inline-start: 1.2em; }
.meta { color: #444; margin-bottom: 0; }
.text { white-space: pre-wrap; margin-top: .2em; }
.counsellor-note .meta { font-style: italic; }
@media print { body { margin: 0; } article + article { margin-top: 0; } }
"""

#: The end of every page.
PAGE_END: Final = "</body>\n</html>\n"


def page_start(reader: Translator, questionnaire: Questionnaire) -> str:
    """The page up to its first article: the reader's language and direction, the title."""
    locale = reader.locale
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_lang(locale)}" dir="{_dir(locale)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escaped(reader.gettext(questionnaire.title))}</title>\n"
        f"<style>{PAGE_STYLE}</style>\n</head>\n<body>\n"
    )


#: Accounts are few: one query reads them all for an export.
_ACCOUNTS: Final = sa.select(CASEWORKER.c.username, CASEWORKER.c.full_name)


def full_names(db: Database) -> dict[str, str]:
    """User name → the name to print: the full name, or the user name if there is none."""
    with db.session() as session:
        rows = session.execute(_ACCOUNTS).all()
    return {str(username): str(full or username) for username, full in rows}


def escaped(text: str) -> str:
    """Text for HTML: cleaned of controls and bidi overrides, and escaped (the overview's
    report escapes by this too)."""
    return html.escape(shown(text, multiline=True))


def _when(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _moment(value: Any) -> dt.datetime:
    """A time the record must have (the export always writes one): the epoch if it is not."""
    return _when(value) or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _day(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def record_view(record: Mapping[str, Any], names: Mapping[str, str]) -> RecordView:
    """An exported record as the review reads it from the database: the record, its answers
    with who gave them, its remarks and corrections, and its authors by their names."""
    ids: dict[str, int] = {}

    def author(username: Any) -> int:
        return ids.setdefault(str(username), len(ids) + 1)

    person = record.get("person") or {}
    interpreter = record.get("interpreter") or {}
    times = record.get("timestamps") or {}
    caseworker = record.get("caseworker")
    row = Record(
        id=uuid.UUID(str(record["record_id"])),
        questionnaire_id=(record.get("questionnaire") or {}).get("id", ""),
        questionnaire_version=(record.get("questionnaire") or {}).get("version", ""),
        status=record.get("status", ""),
        needs_follow_up=bool(record.get("needs_follow_up")),
        mode=record.get("mode", ""),
        locale=record.get("locale", ""),
        locales_used=list(record.get("locales_used") or []),
        caseworker_id=author(caseworker) if caseworker else None,
        interpreter_used=interpreter.get("used"),
        interpreter_language=interpreter.get("language"),
        interpreter_registry_number=interpreter.get("registry_number"),
        interpreter_channel=interpreter.get("channel"),
        full_name=person.get("full_name"),
        birth_date=_day(person.get("birth_date")),
        person_key=person.get("person_id"),
        permit_date=_day(person.get("permit_date")),
        started_at=_moment(times.get("started")),
        updated_at=_moment(times.get("updated")),
        submitted_at=_when(times.get("submitted")),
        reviewed_at=_when(times.get("reviewed")),
        exported_at=_when(times.get("exported")),
    )
    provenance = record.get("provenance") or {}
    places = record.get("places") or {}
    answers = [
        Answer(
            record_id=row.id,
            path=path,
            value=value,
            provenance=provenance.get(path, ""),
            place=places.get(path),
        )
        for path, value in flat_answers(without_derived(record.get("answers") or {})).items()
    ]
    remarks = [
        Remark(
            record_id=row.id,
            section=remark.get("section"),
            kind=remark.get("kind", ""),
            text=remark.get("text", ""),
            author_id=author(remark.get("author")),
            created_at=_moment(remark.get("created_at")),
        )
        for remark in record.get("remarks") or []
    ]
    corrections = [
        Correction(
            record_id=row.id,
            path=correction.get("path", ""),
            old_value=correction.get("old"),
            new_value=correction.get("new"),
            reason=correction.get("reason", ""),
            author_id=author(correction.get("author")),
            created_at=_moment(correction.get("created_at")),
        )
        for correction in record.get("corrections") or []
    ]
    return RecordView(
        row,
        answers,
        remarks,
        corrections,
        {number: names.get(username) or username for username, number in ids.items()},
    )


class Printable:
    """Records as printable articles for one reader (their language) and questionnaire."""

    def __init__(
        self, questionnaire: Questionnaire, reader: Translator, names: Mapping[str, str]
    ) -> None:
        self.questionnaire = questionnaire
        self.reader = reader
        self.names = names
        self.today = dt.date.today()

    def page(self, articles: list[str]) -> str:
        """A whole page of ``articles`` (each from :meth:`article`), as the PDF lays it out."""
        return page_start(self.reader, self.questionnaire) + "".join(articles) + PAGE_END

    def article(self, record: Mapping[str, Any]) -> str:
        reader = self.reader
        view = record_view(record, self.names)
        # The record's own questionnaire: a record on kompass-v1 is shown by v1's questions.
        own = (
            questionnaire_of(view.record.questionnaire_id, view.record.questionnaire_version)
            or self.questionnaire
        )
        ours = build_report(view, own, reader, self.today)
        locale = view.record.locale
        theirs: RecordReport | None = None
        if locale in LOCALES and locale != reader.locale:
            theirs = build_report(view, own, translator(locale), self.today)
        lang = _lang(reader.locale)
        out = [
            f'<article lang="{lang}" dir="{_dir(reader.locale)}">',
            f"<h1>{escaped(ours.title)}</h1>",
            '<table class="facts">',
            *(
                f"<tr><th>{escaped(label)}</th><td>{escaped(value)}</td></tr>"
                for label, value in ours.facts
            ),
            "</table>",
        ]
        their_sections = theirs.sections if theirs else [None] * len(ours.sections)
        for section, their_section in zip(ours.sections, their_sections, strict=True):
            if not section.lines and not section.remarks:
                continue
            out.append(f'<section class="section" data-section="{escaped(section.name)}">')
            title = f"<span>{escaped(section.title)}</span>"
            if their_section is not None:
                title += (
                    f" · <span {language_attributes(locale)}>{escaped(their_section.title)}</span>"
                )
            out.append(f"<h2>{title}</h2>")
            if section.lines:
                out.append(self._answers(section.lines, their_section, locale))
            out.append(_remarks(section.remarks))
            out.append("</section>")
        if ours.remarks:
            out.append('<section class="whole-record">')
            out.append(f"<h2>{escaped(reader.gettext('Remarks on the whole record'))}</h2>")
            out.append(_remarks(ours.remarks))
            out.append("</section>")
        if ours.history:
            out.append('<section class="corrections">')
            out.append(f"<h2>{escaped(reader.gettext('Corrections (* above)'))}</h2><ul>")
            for change in ours.history:
                reason = reader.gettext("Reason: %(reason)s") % {"reason": change.reason}
                out.append(
                    '<li class="correction">'
                    f'<p class="meta">{escaped(change.when)} · {escaped(change.author)} · '
                    f"{escaped(change.question)}</p>"
                    f'<p class="change">{escaped(change.old)} → {escaped(change.new)}</p>'
                    f'<p class="reason">{escaped(reason)}</p></li>'
                )
            out.append("</ul></section>")
        out.append("</article>\n")
        return "\n".join(out)

    def _answers(self, lines: list[AnswerLine], their_section: Any, locale: str) -> str:
        reader = self.reader
        # Each column named in the reader's language (never in a script the reader may not
        # read), as the review names the language the person answered in.
        head = ""
        if their_section is not None:
            head += f'<th class="theirs">{escaped(language_text(locale, reader))}</th>'
        head += (
            f'<th class="ours">{escaped(language_text(reader.locale, reader))}</th>'
            f'<th class="given-by">{escaped(reader.gettext("Who"))}</th>'
        )
        out = ["<table>", f"<tr>{head}</tr>"]
        theirs = their_section.lines if their_section is not None else [None] * len(lines)
        for line, their_line in zip(lines, theirs, strict=True):
            classes = ["answer", f"depth-{line.depth}"]
            if line.heading:
                classes.append("heading")
            elif not line.text:
                classes.append("unanswered")
            if line.corrected:
                classes.append("corrected")
            cells = ""
            if their_line is not None:
                cells += (
                    f'<td class="theirs" {language_attributes(locale)}>{_cell(their_line)}</td>'
                )
            cells += f'<td class="ours">{_cell(line)}</td>'
            cells += f'<td class="given-by">{escaped(line.given)}</td>'
            # An entry's heading names the group's path; the answers their own.
            path = "" if line.depth == 1 else f' data-path="{escaped(line.path)}"'
            out.append(f'<tr class="{" ".join(classes)}"{path}>{cells}</tr>')
        out.append("</table>")
        return "\n".join(out)


def _cell(line: AnswerLine) -> str:
    mark = " *" if line.corrected else ""
    if line.heading:
        return f"<strong>{escaped(line.label)}</strong>{mark}"
    if not line.text:
        # A question not answered takes one line, not two: the printed record is a page or
        # two shorter (the person's copy at the kiosk too), and what was answered stands out.
        return f"{escaped(line.label)}{mark} —"
    return f"{escaped(line.label)}{mark}<br>{escaped(line.text)}"


def _remarks(remarks: list[RemarkLine]) -> str:
    if not remarks:
        return ""
    out = ['<ul class="remarks">']
    for remark in remarks:
        kind = "counsellor-note" if remark.counsellor else "remark"
        out.append(
            f'<li class="{kind}"><p class="meta">{escaped(remark.kind)} · {escaped(remark.author)} · '
            f'{escaped(remark.when)}</p><p class="text">{escaped(remark.text)}</p></li>'
        )
    out.append("</ul>")
    return "\n".join(out)


def _lang(locale: str) -> str:
    return escaped(locale.replace("_", "-"))


def _dir(locale: str) -> str:
    return "rtl" if locale in LOCALES and is_rtl(locale) else "ltr"


def language_attributes(locale: str) -> str:
    """The attributes of text in ``locale``: its language and direction."""
    return f'lang="{_lang(locale)}" dir="{_dir(locale)}"'
