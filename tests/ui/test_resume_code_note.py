"""The resume code explained: when the registration gets its code, the page says above the
question what it is for and to write it down, in the person's language, once (the top bar
keeps the code)."""

from __future__ import annotations

import pytest

from kompass_tui.storage.database import Database
from kompass_tui.storage.records import format_resume_code
from kompass_tui.widgets.spoken import plain, spoken_parts
from kompass_tui.widgets.visual import Static
from kompass_tui.wizard.screens.section import SectionScreen
from sporreskjema.i18n import translator
from tests.support.kiosk_pilot import make_app, pick_language, wait_for_screen

SIZE = (100, 32)
NOTE = (
    "Your code is %(code)s. Write it down. If you stop before you are done, the code and your "
    "date of birth let you continue later."
)


@pytest.mark.parametrize("locale", ["nb", "uk", "ar", "ti"])
async def test_the_new_code_is_explained_once(sqlite_db: Database, locale: str) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, locale)
        await wait_for_screen(pilot, SectionScreen)
        assert not app.screen.query(".code-note")
        await pilot.press("space")  # the first answer: the registration is saved, with a code
        await pilot.pause()
        registration = app.registration
        assert registration is not None
        assert registration.resume_code
        code = format_resume_code(registration.resume_code)
        said = translator(locale).gettext(NOTE) % {"code": code}
        assert said != NOTE % {"code": code} or locale == "en"  # in the person's language
        notes = list(app.screen.query(".code-note").results(Static))
        assert [plain(note.content) for note in notes] == [said]
        # in sight, though the page is taller than the screen and scrolled to its question
        x, y = notes[0].content_region.offset
        assert app.screen.get_widget_at(x, y)[0] is notes[0]
        await pilot.press("space", "space")  # more answers: not again
        await pilot.pause()
        assert len(app.screen.query(".code-note")) == 1
        assert said in spoken_parts(app.screen)  # read aloud too, as a message of its own
