"""sporreskjema — the Kompass questionnaire and the engine that walks it.

Pure Python: the definition (``definitions/*.toml``), its typed models and checks,
the expressions for skip logic and constraints, value parsing for every question
type, and :class:`Form`, which walks one person's answers. No UI is imported here.

The names below are imported when first used, so that a program that needs only the
translations (``sporreskjema.i18n``) does not pay for the models at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .definition import DefinitionError as DefinitionError
    from .definition import Problem as Problem
    from .definition import Question as Question
    from .definition import Questionnaire as Questionnaire
    from .definition import Section as Section
    from .definition import load_builtin as load_builtin
    from .definition import load_definition as load_definition
    from .definition import parse_definition as parse_definition
    from .definition import questionnaire_of as questionnaire_of
    from .engine import FieldError as FieldError
    from .engine import Form as Form
    from .engine import FormError as FormError
    from .engine import Item as Item
    from .engine import Path as Path
    from .engine import SectionStatus as SectionStatus
    from .engine import SummarySection as SummarySection
    from .i18n import Msg as Msg
    from .i18n import Translator as Translator
    from .i18n import translator as translator
    from .values import Invalid as Invalid

_WHERE = {
    "DefinitionError": "definition",
    "Problem": "definition",
    "Question": "definition",
    "Questionnaire": "definition",
    "Section": "definition",
    "load_builtin": "definition",
    "load_definition": "definition",
    "questionnaire_of": "definition",
    "parse_definition": "definition",
    "FieldError": "engine",
    "Form": "engine",
    "FormError": "engine",
    "Item": "engine",
    "Path": "engine",
    "SectionStatus": "engine",
    "SummarySection": "engine",
    "Msg": "i18n",
    "Translator": "i18n",
    "translator": "i18n",
    "Invalid": "values",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'sporreskjema' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
