"""The questionnaire as an XLSForm (``kompass questionnaire xlsform``): converted and checked
by the ecosystem's own tools (pyxform and ODK Validate, the Java program inside it), every
question type mapped, every language present."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.exchange import xlsform
from sporreskjema import translator, types
from sporreskjema.definition import load_definition
from sporreskjema.i18n import LOCALES
from tests.support.helpers import ALL_TYPES, inline

#: CI (`.ci/run`) installs a JRE and sets this, so that ODK Validate runs there for certain.
REQUIRE_JAVA = os.environ.get("KOMPASS_REQUIRE_JAVA") == "1"


def write(tmp_path: Path, *args: str) -> tuple[int, str, Path]:
    out = tmp_path / "kompass.xlsx"
    result = CliRunner().invoke(
        app, ["questionnaire", "xlsform", "--out", str(out), *args], env={"KOMPASS_LOCALE": "en"}
    )
    return result.exit_code, result.output, out


def sheet(path: Path, name: str) -> list[list[object]]:
    book = openpyxl.load_workbook(path, read_only=True)
    return [list(row) for row in book[name].iter_rows(values_only=True)]


@pytest.mark.parametrize("version", ["1", "2"])
def test_pyxform_and_odk_validate_accept_the_form_without_a_warning(
    tmp_path: Path, version: str
) -> None:
    from pyxform.xls2xform import convert

    if shutil.which("java") is None:
        if REQUIRE_JAVA:
            pytest.fail("KOMPASS_REQUIRE_JAVA is set but java is not installed")
        pytest.skip("no Java: ODK Validate needs it (bash .ci/run installs it)")
    code, output, out = write(tmp_path, "--version", version)
    assert code == 0, output
    warnings: list[str] = []
    result = convert(xlsform=str(out), validate=True, warnings=warnings)
    assert warnings == []
    assert f'id="kompass_v{version}"' in result.xform
    # The engine's names are the form's: the importer finds each answer by its name.
    assert "<permit_date/>" in result.xform
    assert "<instanceID/>" in result.xform


def test_every_question_type_has_an_xlsform_type_that_odk_validate_accepts(
    tmp_path: Path,
) -> None:
    """A questionnaire with every type (tests/support/helpers.py's ALL_TYPES, which a new type
    joins) becomes a form ODK accepts; a type without an XLSForm type fails here."""
    from pyxform.xls2xform import convert

    assert set(types.REGISTRY) <= set(xlsform.XLSFORM_TYPES)
    every = inline(ALL_TYPES)
    assert {question.type for question in every.all_questions()} == set(types.REGISTRY)
    out = tmp_path / "every.xlsx"
    xlsform.build(every).save(out)
    warnings: list[str] = []
    convert(xlsform=str(out), validate=shutil.which("java") is not None, warnings=warnings)
    assert warnings == []


def test_a_question_type_without_an_xlsform_type_is_refused() -> None:
    types.register(types.QuestionKind("toy", widget="line", parse=lambda q, raw, qs, today: raw))
    try:
        toy = inline(ALL_TYPES.replace('type = "note"', 'type = "toy"', 1))
        with pytest.raises(xlsform.UnmappedType, match="'toy'"):
            xlsform.build(toy)
    finally:
        types.unregister("toy")


def test_every_label_hint_and_message_is_in_all_sixteen_languages(tmp_path: Path) -> None:
    code, output, out = write(tmp_path)
    assert code == 0, output
    survey = sheet(out, "survey")
    header = [str(cell) for cell in survey[0]]
    for kind in ("label", "hint", "constraint_message"):
        columns = [name for name in header if name.startswith(f"{kind}::")]
        assert len(columns) == len(LOCALES) == 16
    assert "label::Dari (prs)" in header
    assert "label::Tigrinya (ti)" in header
    row = next(row for row in survey if row[1] == "permit_date")
    for locale in LOCALES:
        tag, name = xlsform.LANGUAGE_COLUMNS[locale]
        label = row[header.index(f"label::{name} ({tag})")]
        assert label == translator(locale).gettext("Date the residence permit was granted")
    choices = sheet(out, "choices")
    choice_header = [str(cell) for cell in choices[0]]
    norway = next(row for row in choices if row[0] == "countries" and row[1] == "NO")
    assert norway[choice_header.index("label::Norwegian Bokmål (nb)")] == "Norge"
    assert norway[choice_header.index("label::Ukrainian (uk)")] == "Норвегія"


def test_the_settings_name_the_form_and_change_version_with_its_content(tmp_path: Path) -> None:
    code, output, out = write(tmp_path)
    assert code == 0, output
    settings = sheet(out, "settings")
    values = dict(zip(settings[0], settings[1], strict=True))
    assert values["form_id"] == "kompass_v2"
    assert str(values["version"]).startswith("2.")
    again = xlsform.build(load_definition(Path("sporreskjema/definitions/kompass-v2.toml")))
    assert again.settings[1][2] == values["version"]  # the same form, the same version


def test_an_odk_public_key_makes_odk_encrypt_and_a_wrong_one_is_one_line(tmp_path: Path) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("no openssl to make an RSA key")
    private, public = tmp_path / "odk.pem", tmp_path / "odk-public.pem"
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
         "-out", str(private)], check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        ["openssl", "rsa", "-in", str(private), "-pubout", "-out", str(public)],
        check=True, capture_output=True,
    )  # fmt: skip
    code, output, out = write(tmp_path, "--odk-public-key", str(public))
    assert code == 0, output
    settings = sheet(out, "settings")
    values = dict(zip(settings[0], settings[1], strict=True))
    body = "".join(public.read_text().splitlines()[1:-1])
    assert values["public_key"] == body
    for wrong in (private, tmp_path / "missing.pem"):
        code, output, _out = write(tmp_path, "--odk-public-key", str(wrong))
        assert code == 1
        assert len(output.strip().splitlines()) == 1, output
