"""``kompass kiosk --set-printer NAME`` and ``--no-printer``: staff choose the CUPS printer for
the person's copy. A printer CUPS does not know, or a machine without CUPS, is refused in the
user's language and nothing is saved; a kiosk whose printer is gone still starts, says why it
offers no copy, and offers none. Printing itself (:mod:`kompass_tui.exchange.printing`): the
PDF on lp's standard input under a title that names no one, a refusal as one message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from kompass_tui.cli import app as cli
from kompass_tui.exchange import pdf, printing
from kompass_tui.kiosk import app as app_module
from kompass_tui.kiosk import settings
from sporreskjema import translator
from tests.support.printer import fake_printer

LOCALES = ["nb", "uk", "ar", "ti"]


def kompass(*args: str, locale: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"KOMPASS_LOCALE": locale})


@pytest.mark.parametrize("locale", LOCALES)
def test_a_known_printer_is_saved_and_can_be_taken_away(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, locale: str
) -> None:
    fake_printer(tmp_path, monkeypatch)
    tr = translator(locale)
    result = kompass("kiosk", "--set-printer", "front-desk", locale=locale)
    assert result.exit_code == 0, result.output
    assert (
        tr.gettext("The kiosk offers each person a printed copy on %(printer)s from now on.")
        % {"printer": "front-desk"}
        in result.output
    )
    assert settings.load().printer == "front-desk"
    result = kompass("kiosk", "--no-printer", locale=locale)
    assert result.exit_code == 0, result.output
    assert tr.gettext("The kiosk offers no printed copy from now on.") in result.output
    assert settings.load().printer is None


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("cause", ["a printer CUPS does not know", "no fonts for the PDF"])
def test_a_printer_that_cannot_print_the_copy_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, locale: str, cause: str
) -> None:
    """Refused with the reason and what was not done (the printer setting), in the user's
    language; the PDF part's message says nothing of an export here."""
    fake_printer(tmp_path, monkeypatch)
    tr = translator(locale)
    if cause == "no fonts for the PDF":
        monkeypatch.setattr(pdf, "missing_fonts", lambda: ("Noto Sans Ethiopic",))
        name = "front-desk"
        reason = tr.gettext(
            "PDF needs fonts that this machine does not have (%(fonts)s): %(command)s."
        ) % {"fonts": "Noto Sans Ethiopic", "command": pdf.INSTALL_FONTS}
    else:
        name = "upstairs"
        reason = tr.gettext(
            "The printing system knows no printer %(name)s (lpstat -p lists them)."
        ) % {"name": name}
    result = kompass("kiosk", "--set-printer", name, locale=locale)
    assert result.exit_code == 1
    shown = " ".join(result.output.split())
    said = tr.gettext("%(reason)s The kiosk's printer was not changed.") % {"reason": reason}
    assert said in shown
    assert tr.gettext("%(reason)s Nothing was exported.") % {"reason": reason} not in shown
    assert settings.load().printer is None


def test_without_cups_the_message_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no lp, no lpstat
    with pytest.raises(printing.PrintError) as raised:
        printing.check_printer("front-desk")
    assert "cups-client" in raised.value.message.render(translator("en"))


def test_a_kiosk_whose_printer_is_gone_starts_and_offers_no_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[settings.KioskSettings] = []

    def run_kiosk(_db: Any, kiosk_settings: settings.KioskSettings, **_options: Any) -> int:
        runs.append(kiosk_settings)
        return 0

    monkeypatch.setattr(app_module, "run_kiosk", run_kiosk)
    fake_printer(tmp_path, monkeypatch, printers=())
    settings.set_pin("4821")
    settings.set_printer("front-desk")
    result = kompass("kiosk", locale="en")
    assert result.exit_code == 0, result.output
    assert "The kiosk offers no printed copy: " in result.output
    assert [run.printer for run in runs] == [None]
    assert settings.load().printer == "front-desk"  # kept for when the printer is back


def test_the_copy_goes_to_lp_whole_under_no_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    printer = fake_printer(tmp_path, monkeypatch)
    copy = b"%PDF-1.7\n\x00\xff binary, whole\n%%EOF\n"
    printing.send("front-desk", copy)
    assert (printer.tray / "job.pdf").read_bytes() == copy
    assert (printer.tray / "args").read_text("utf-8").splitlines() == [
        "-d", "front-desk", "-t", "Kompass", "-",
    ]  # fmt: skip


def test_a_printer_that_refuses_is_one_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_printer(tmp_path, monkeypatch)
    monkeypatch.setenv("FAKE_LP_FAIL", "1")
    with pytest.raises(printing.PrintError) as raised:
        printing.send("front-desk", b"%PDF-1.7")
    assert raised.value.message.render(translator("en")) == (
        "The printer front-desk did not take the copy."
    )
