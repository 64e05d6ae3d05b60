"""`kompass questionnaire check`: the built-in definition passes; broken ones are refused,
each problem named with its place."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kompass_tui.cli import app
from sporreskjema.definition import builtin_path

runner = CliRunner()
BUILTIN = builtin_path().read_text(encoding="utf-8")


def check(path: Path | None = None) -> tuple[int, str]:
    args = ["questionnaire", "check"] + ([str(path)] if path else [])
    result = runner.invoke(app, args, env={"KOMPASS_LOCALE": "en"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_builtin_passes() -> None:
    code, output = check()
    assert code == 0
    assert "OK" in output
    assert "8 sections" in output


def broken(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    assert old in BUILTIN, old
    path = tmp_path / "broken.toml"
    path.write_text(BUILTIN.replace(old, new, count), encoding="utf-8")
    return path


# (what is changed, replaced by, the place named, words of the message)
BROKEN = [
    pytest.param(
        'type = "phone"',
        'type = "telephone"',
        "about_you › phone › type",
        "is not one of",
        id="unknown type",
    ),
    pytest.param(
        'name = "full_name"\ntype = "text"\nlabel = "Full name"',
        'name = "full_name"\ntype = "text"',
        "about_you › full_name › label",
        "required field is missing",
        id="missing label",
    ),
    pytest.param(
        'name = "phone"\ntype = "phone"',
        'name = "phone"\ntype = "phone"\ncolour = "red"',
        "about_you › phone › colour",
        "unknown field",
        id="unknown field",
    ),
    pytest.param(
        'name = "residence"',
        'name = "full_name"',
        "about_you › full_name",
        "question name 'full_name' is used twice",
        id="duplicate name",
    ),
    pytest.param(
        'choices = "employment"',
        'choices = "employmnt"',
        "work › jobs › employment › choices",
        "unknown code list 'employmnt'",
        id="unknown code list",
    ),
    pytest.param(
        "relevant = \"has_work_experience == 'yes'\"",
        "relevant = \"has_work_experince == 'yes'\"",
        "work › jobs › relevant",
        "unknown question 'has_work_experince'",
        id="unknown name in expression",
    ),
    pytest.param(
        "relevant = \"has_driving_licence == 'yes'\"",
        "relevant = \"has_driving_licence == 'ja'\"",
        "other › licence_classes › relevant",
        "'ja' is not a code of 'yes_no'",
        id="unknown code in expression",
    ),
    pytest.param(
        'constraint = "value >= from_year"',
        'constraint = "value >= from_year("',
        "work › jobs › to_year › constraint",
        "invalid expression: syntax error",
        id="syntax error",
    ),
    pytest.param(
        'constraint = "value >= from_year"',
        "constraint = \"__import__('os').system('true')\"",
        "work › jobs › to_year › constraint",
        "invalid expression: unknown function",
        id="unsafe expression",
    ),
    pytest.param(
        "relevant = \"selected(short_term_goals, 'other')\"",
        "relevant = \"selected(short_term_goals, 'other')\"\nconstraint = \"value != 'x'\"",
        "goals › short_term_other › constraint_message",
        "a constraint needs a message",
        id="constraint without message",
    ),
    pytest.param(
        "relevant = \"still_working == 'no'\"",
        "relevant = \"job_title == 'x'\"",
        "",
        "",
        id="sibling in the same entry is fine",
    ),
    pytest.param(
        "relevant = \"norwegian_level != 'none'\"\nmax_length = 300",
        "relevant = \"job_title != 'none'\"\nmax_length = 300",
        "languages › norwegian_course_names › relevant",
        "'job_title' is inside repeat group 'jobs'",
        id="out of reach",
    ),
    pytest.param(
        "min = 0\nmax = 20",
        "min = 20\nmax = 0",
        "education › years_school › min",
        "min is greater than max",
        id="min above max",
    ),
    pytest.param(
        '[[choices.employment]]\ncode = "seasonal"',
        '[[choices.employment]]\ncode = "part_time"',
        "choices › employment › part_time",
        "code 'part_time' is used twice",
        id="duplicate code",
    ),
    pytest.param(
        'nus = "7"\nisced = "7"',
        'nus = "7"',
        "choices › isced_level › master",
        "code 'master' has no isced, which other codes of the list have",
        id="a derived code missing for one code",
    ),
    pytest.param(
        'nus = "8"\nisced = "8"',
        'nus = "8"\nisced = "9"',
        "choices › isced_level › doctoral › isced",
        "has the wrong form",
        id="no ISCED 2011 level",
    ),
    pytest.param(
        'isced_f = "07"',
        'isced_f = "7"',
        "choices › isced_field › 07 › isced_f",
        "has the wrong form",
        id="no ISCED-F field",
    ),
    pytest.param(
        'type = "repeat"\nlabel = "Jobs"',
        'type = "text"\nlabel = "Jobs"',
        "work › jobs › questions",
        "only a repeat group holds questions",
        id="children without repeat",
    ),
    pytest.param(
        'version = "2"', 'version = "one"', "version", "has the wrong form", id="bad version"
    ),
    pytest.param(
        'title = "Competence survey"',
        'title = "Competence survey',
        "/",
        "not valid TOML",
        id="not TOML",
    ),
]


@pytest.mark.parametrize(("old", "new", "where", "words"), BROKEN)
def test_broken_definition(tmp_path: Path, old: str, new: str, where: str, words: str) -> None:
    code, output = check(broken(tmp_path, old, new))
    if not where:
        assert code == 0, output
        return
    assert code == 1, output
    assert "Traceback" not in output
    lines = output.splitlines()
    assert "problem" in lines[0]
    assert any(line.strip().startswith(where + ":") and words in line for line in lines[1:]), output


def test_every_problem_is_listed(tmp_path: Path) -> None:
    text = BUILTIN.replace('choices = "employment"', 'choices = "nope"').replace(
        "relevant = \"has_courses == 'yes'\"", "relevant = \"has_corses == 'yes'\""
    )
    path = tmp_path / "two.toml"
    path.write_text(text, encoding="utf-8")
    code, output = check(path)
    assert code == 1
    assert "2 problems" in output.splitlines()[0] or "3 problems" in output.splitlines()[0]
    assert "unknown code list 'nope'" in output
    assert "unknown question 'has_corses'" in output


def test_unreadable_and_binary_files(tmp_path: Path) -> None:
    code, output = check(tmp_path / "missing.toml")
    assert code == 1
    assert "cannot read the file" in output
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    code, output = check(binary)
    assert code == 1
    assert "not UTF-8" in output


def test_hostile_text_in_a_definition_cannot_reach_the_terminal(tmp_path: Path) -> None:
    path = broken(tmp_path, 'type = "phone"', 'type = "\x1b]0;pwned\x07phone"')
    code, output = check(path)
    assert code == 1
    assert "\x1b" not in output
    assert "\x07" not in output


def test_messages_are_translated(tmp_path: Path) -> None:
    path = broken(tmp_path, 'choices = "employment"', 'choices = "employmnt"')
    result = runner.invoke(app, ["questionnaire", "check", str(path)], env={"KOMPASS_LOCALE": "nb"})
    assert result.exit_code == 1
    assert "unknown code list" not in result.output
    assert "employmnt" in result.output
