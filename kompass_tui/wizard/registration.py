"""One person's registration while it is being filled in, at the kiosk or the assisted desk.

It joins the engine (``sporreskjema.Form``) and storage: an answer is checked by the
engine, and the moment it is valid it is saved. The record is created with the first
saved answer, so nobody who only looks at the start screen leaves a record behind.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import uuid
from typing import Any, Final

from kompass_tui.i18n import N_, Msg
from kompass_tui.storage import records
from kompass_tui.storage.answers import moved_paths
from kompass_tui.storage.database import Database, StorageError
from kompass_tui.storage.models import Mode, Place, Record
from kompass_tui.storage.status import Status
from sporreskjema import Form, FormError, Path, Questionnaire, load_builtin, values
from sporreskjema.calendars import AS_WRITTEN_SUFFIX, Calendar, Written, for_locale
from sporreskjema.text import clean_text

#: Shown at the kiosk instead of the record number, which is not the person's business.
ALREADY_REGISTERED = N_("You are already registered. Please ask the staff for help.")

#: A number in Nasjonalt tolkeregister: digits only.
_REGISTRY_NUMBER = re.compile(r"^[0-9]{1,8}$")

#: Who gives the answers by default at the assisted desk.
WITH_INTERPRETER: Final = "interpreter"
WITH_HELP: Final = "self_with_help"


def registry_number(text: str) -> tuple[str | None, Msg | None]:
    """An interpreter's number in Nasjonalt tolkeregister as typed (spaces allowed), or the
    reason it is not one; nothing typed is no number (it is optional)."""
    digits = re.sub(r"\s", "", clean_text(text))
    if not digits:
        return None, None
    if not _REGISTRY_NUMBER.match(digits):
        return None, Msg(
            N_("The number in Nasjonalt tolkeregister is digits only, at most 8 of them.")
        )
    return digits, None


def kiosk_name() -> str:
    """This kiosk's name in the audit log: its machine's, which a restart does not change."""
    return socket.gethostname() or "kiosk"


class Registration:
    def __init__(
        self,
        db: Database,
        *,
        locale: str,
        questionnaire: Questionnaire | None = None,
        mode: Mode = Mode.kiosk,
        provenance: str = "self",
        caseworker_id: int | None = None,
        assistance: records.Assistance | None = None,
        today: dt.date | None = None,
        kiosk: str | None = None,
    ) -> None:
        """``assistance``: at the assisted desk (mode, caseworker and provenance follow).
        ``kiosk``: the kiosk's name for the audit log (by default :func:`kiosk_name` for a
        registration at a kiosk, where nobody is logged in)."""
        self.db = db
        self.questionnaire = questionnaire or load_builtin()
        self.form = Form(self.questionnaire, today=today or dt.date.today())
        self.locale = locale
        self.mode = mode
        self.provenance = provenance
        self.caseworker_id = caseworker_id
        self.assistance = assistance
        if assistance is not None:
            self.mode = Mode.assisted
            self.caseworker_id = assistance.caseworker_id
            self.provenance = WITH_INTERPRETER if assistance.interpreter_used else WITH_HELP
        #: Where the answers are given: at the assisted desk, or alone at a kiosk. A record
        #: begun at a kiosk and continued at the desk keeps where each answer was given.
        self.place = Place.kiosk if self.mode == Mode.kiosk else Place.desk
        #: Where identifiers are looked up with nobody logged in (audited and slowed down).
        self.kiosk: str | None = None
        if self.mode == Mode.kiosk and self.caseworker_id is None:
            self.kiosk = kiosk or kiosk_name()
        #: Provenance chosen for single answers, by path (the assisted desk may change it).
        self.provenance_by_path: dict[str, str] = {}
        self.record_id: uuid.UUID | None = None
        self.resume_code: str | None = None
        #: The calendar the person types dates and years in, chosen once per registration
        #: (preselected for the language; see :meth:`set_locale`).
        self.calendar: Calendar = for_locale(locale)
        self.calendar_chosen = False
        #: What the reviewer asked to clear up, when the record was sent back for it: then
        #: every answer given is kept as a correction, with this as its reason.
        self.clarification: str | None = None

    # ---------------------------------------------------------------- record

    def _ensure_record(self) -> uuid.UUID:
        if self.record_id is None:
            new = records.create_record(
                self.db,
                questionnaire=self.questionnaire,
                mode=self.mode,
                locale=self.locale,
                caseworker_id=self.caseworker_id,
                assistance=self.assistance,
            )
            self.record_id, self.resume_code = new.id, new.resume_code
        return self.record_id

    @classmethod
    def resume(
        cls,
        db: Database,
        *,
        code: str,
        birth_date: dt.date,
        locale: str | None = None,
        today: dt.date | None = None,
    ) -> Registration:
        """Continue an unfinished registration in ``locale``, by default in the language it
        was last shown in (raises ``records.ResumeFailed``)."""
        record = records.resume(db, code=code, birth_date=birth_date)
        registration = cls._of_record(db, record, locale=record.locale, today=today)
        registration.resume_code = records.normalise_resume_code(code)
        if locale is not None and locale != record.locale:
            registration.set_locale(locale)
        return registration

    @classmethod
    def continue_assisted(
        cls,
        db: Database,
        *,
        key: str,
        assistance: records.Assistance,
        today: dt.date | None = None,
    ) -> Registration:
        """Continue at the assisted desk a registration begun elsewhere, found by its resume
        code or the person's identifier (raises a ``StorageError`` with the reason), in the
        language it was begun in."""
        record = records.continue_assisted(db, key=key, assistance=assistance)
        return cls._of_record(db, record, locale=record.locale, assistance=assistance, today=today)

    @classmethod
    def _of_record(
        cls,
        db: Database,
        record: Record,
        *,
        locale: str,
        assistance: records.Assistance | None = None,
        today: dt.date | None = None,
    ) -> Registration:
        """A registration of a stored record, with its answers so far."""
        questionnaire = load_builtin(record.questionnaire_id, record.questionnaire_version)
        registration = cls(
            db, locale=locale, questionnaire=questionnaire, assistance=assistance, today=today
        )
        registration.form = Form.from_json(
            questionnaire, records.load_answers(db, record.id), today=registration.form.today
        )
        registration.record_id = record.id
        if record.status == Status.sent_back:
            from kompass_tui.storage import review  # not at the kiosk's start

            registration.clarification = records.asked_text(review.clarification(db, record.id))
        # Dates go on in the calendar the person wrote one in, if they did.
        for name, value in registration.form.answers.items():
            if name.endswith(AS_WRITTEN_SUFFIX) and isinstance(value, str):
                registration.choose_calendar(Written.parse(value).calendar)
                break
        return registration

    def provenance_of(self, path: str) -> str:
        return self.provenance_by_path.get(path, self.provenance)

    def set_provenance(self, paths: list[str], provenance: str) -> Msg | None:
        """Who gave the answers at ``paths``: the stored ones change now, the others take it
        when they are given. The error message, or ``None``."""
        if self.record_id is not None:
            assert self.caseworker_id is not None, "only a caseworker changes provenance"
            try:
                records.set_provenance(
                    self.db,
                    record_id=self.record_id,
                    paths=paths,
                    provenance=provenance,
                    actor_id=self.caseworker_id,
                )
            except StorageError as exc:
                return exc.message
        for path in paths:
            self.provenance_by_path[path] = provenance
        return None

    def choose_calendar(self, calendar: Calendar) -> None:
        """The calendar the person's papers are written in: dates and years are typed in it
        from now on (those given already keep the calendar they were typed in)."""
        self.calendar = calendar
        self.calendar_chosen = True

    def set_locale(self, locale: str) -> None:
        if not self.calendar_chosen:
            self.calendar = for_locale(locale)
        self.locale = locale
        if self.record_id is not None:
            records.note_locale(self.db, record_id=self.record_id, locale=locale)

    # ---------------------------------------------------------------- answers

    def answer(self, path: str, raw: Any) -> Msg | None:
        """Check and save one answer; the error message, or ``None`` when it is saved.

        Nothing changes when the answer is wrong or cannot be saved.
        """
        parsed = Path.parse(path)
        question = self.questionnaire.question(parsed.name)
        before = self.form.get(parsed)
        value, error = self.form.check(parsed, raw)
        if error is not None:
            return error
        beside: dict[str, str | None] | None = None
        if question.kind.calendar:
            # The date as written in another calendar is kept beside the Gregorian answer.
            written = values.written_of(question, raw, value)
            if value == before and written == self.form.written(parsed):
                return None
            beside = {path + AS_WRITTEN_SUFFIX: None if written is None else written.text()}
        elif value == before:
            return None
        encoded = values.encode(question, value)
        try:
            record_id = self._ensure_record()
            if self.clarification is not None:
                self._correct(record_id, path, encoded, beside, self.clarification)
            else:
                records.save_answer(
                    self.db,
                    record_id=record_id,
                    path=path,
                    value=encoded,
                    provenance=self.provenance_of(path),
                    kiosk=self.kiosk,
                    place=self.place,
                    caseworker_id=self.caseworker_id,
                    beside=beside,
                )
        except records.DuplicatePerson as exc:
            # The caseworker may see which record it is; the person at a kiosk may not.
            return exc.message if self.assistance is not None else Msg(ALREADY_REGISTERED)
        except StorageError as exc:
            return exc.message
        # Not inside an `assert`: `python -O` would drop the call, and the form would miss
        # an answer the database has. It passed the same check above, so it is stored.
        return self.form.set(parsed, raw)

    def _correct(
        self,
        record_id: uuid.UUID,
        path: str,
        encoded: Any,
        beside: dict[str, Any] | None,
        asked: str,
    ) -> None:
        """An answer given on a record sent back: a correction by the desk's caseworker,
        with what was asked as its reason."""
        from kompass_tui.storage import review

        assert self.caseworker_id is not None, "only the assisted desk opens a record sent back"
        review.correct_answer(
            self.db,
            record_id=record_id,
            actor_id=self.caseworker_id,
            path=path,
            value=encoded,
            reason=asked[: records.REASON_MAX_LENGTH],
            place=self.place,
            provenance=self.provenance_of(path),
            beside=beside,
        )

    def add_entry(self, group: str) -> int:
        """A new, empty entry (saved as its answers come)."""
        return self.form.add_entry(group)

    def remove_entry(self, group: str, index: int) -> Msg | None:
        """Remove an entry and number the later ones down, stored at once; the error message,
        or ``None``. Nothing changes when it cannot be stored."""
        return self._remove_entries(group, {index})

    def drop_empty_entries(self, group: str) -> Msg | None:
        """Entries left without a single answer are not kept (the later ones move up)."""
        empty = {index for index, entry in enumerate(self.form.entries(group)) if not entry}
        return self._remove_entries(group, empty) if empty else None

    def _remove_entries(self, group: str, indexes: set[int]) -> Msg | None:
        saved = [dict(entry) for entry in self.form.entries(group)]
        origins = [index for index in range(len(saved)) if index not in indexes]
        try:
            for index in sorted(indexes, reverse=True):
                self.form.remove_entry(group, index)
        except FormError as exc:
            self.form.answers[group] = saved
            return exc.message
        # An empty entry has nothing stored: dropping the last ones changes nothing there.
        moved = origins != list(range(len(origins)))
        if self.record_id is not None and (moved or any(saved[index] for index in indexes)):
            try:
                records.save_entries(
                    self.db,
                    record_id=self.record_id,
                    group=group,
                    entries=self.form.encoded_entries(group),
                    provenance=self.provenance,
                    origins=origins,
                    place=self.place,
                    caseworker_id=self.caseworker_id,
                )
            except StorageError as exc:
                self.form.answers[group] = saved
                return exc.message
        self._renumber_provenance(group, origins)
        return None

    def _renumber_provenance(self, group: str, origins: list[int]) -> None:
        """Provenance chosen for answers of moved entries moves with them."""
        chosen = self.provenance_by_path
        moved = moved_paths(chosen, group, origins)
        kept = {path: who for path, who in chosen.items() if not path.startswith(group + "[")}
        self.provenance_by_path = kept | {path: chosen[was] for path, was in moved.items()}

    # ---------------------------------------------------------------- sending

    def submit(self) -> Msg | None:
        """Send the registration when every required answer is there."""
        errors = self.form.errors()
        if errors:
            return errors[0].message
        try:
            records.submit(
                self.db,
                record_id=self._ensure_record(),
                actor_id=self.caseworker_id,
                follow_up=self.form.follow_ups(),
            )
        except StorageError as exc:
            return exc.message
        return None
