"""sporreskjema — the Kompass questionnaire and the engine that walks it.

Pure Python: the definition (``definitions/*.toml``), its typed models and checks,
the expressions for skip logic and constraints, value parsing for every question
type, and :class:`Form`, which walks one person's answers. No UI is imported here.
"""

from .definition import (
    DefinitionError,
    Problem,
    Question,
    Questionnaire,
    Section,
    load_builtin,
    load_definition,
    parse_definition,
)
from .engine import FieldError, Form, FormError, Item, Path, SectionStatus, SummarySection
from .i18n import Msg, Translator, translator
from .values import Invalid

__all__ = [
    "DefinitionError",
    "FieldError",
    "Form",
    "FormError",
    "Invalid",
    "Item",
    "Msg",
    "Path",
    "Problem",
    "Question",
    "Questionnaire",
    "Section",
    "SectionStatus",
    "SummarySection",
    "Translator",
    "load_builtin",
    "load_definition",
    "parse_definition",
    "translator",
]
