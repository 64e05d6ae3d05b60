from __future__ import annotations

import datetime as dt

import pytest

from sporreskjema import Form, Questionnaire, Translator, load_builtin, translator

#: A fixed "today", so that years and dates in the tests never drift.
TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="session")
def kompass() -> Questionnaire:
    return load_builtin()


@pytest.fixture
def form(kompass: Questionnaire) -> Form:
    return Form(kompass, today=TODAY)


@pytest.fixture(scope="session")
def en() -> Translator:
    return translator("en")


@pytest.fixture(scope="session")
def nb() -> Translator:
    return translator("nb")
