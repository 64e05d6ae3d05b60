"""One entry of a repeat group (a language, a school, a job, a course), one question at a time."""

from __future__ import annotations

from kompass_tui.i18n import N_, current
from kompass_tui.widgets.questions import QuestionField
from kompass_tui.wizard.mirror import Page
from kompass_tui.wizard.screens.section import QuestionsScreen
from sporreskjema import Question
from sporreskjema.i18n import Translator


class EntryScreen(QuestionsScreen):
    """Opened from the list of entries; Back on the first page and Done on the last return there."""

    def __init__(self, group: str, index: int) -> None:
        super().__init__()
        self.group = group
        self.index = index

    def items(self) -> Page:
        group = self.registration.questionnaire.question(self.group)
        return [(q, f"{self.group}[{self.index}].{q.name}") for q in group.questions]

    def is_shown(self, question: Question) -> bool:
        form = self.registration.form
        return form.is_relevant(question, form.entries(self.group)[self.index])

    def heading_in(self, tr: Translator) -> str:
        group = self.registration.questionnaire.question(self.group)
        return f"{tr.gettext(group.label)} · {self.index + 1}"

    def next_label(self, last_page: bool) -> str:
        return N_("Done") if last_page else N_("Next")

    async def leave_forward(self) -> None:
        self._close()

    async def leave_back(self) -> None:
        self._close()

    def _close(self) -> None:
        error = self.registration.drop_empty_entries(self.group)
        if error is not None:  # the entry stays open: nothing is lost, and Done tries again
            self.query(QuestionField).first().show_error(error.render(current()))
            return
        self.dismiss(None)
