"""The printable record as PDF: the export's HTML page (:mod:`kompass_tui.exchange.printable`,
the one template both share) laid out by WeasyPrint, whose text goes through Pango and
HarfBuzz, so Arabic-script letters join, right-to-left lines run right to left and Ethiopic
syllables are whole. The fonts are Debian's Noto fonts (``fonts-noto-core``; SIL Abyssinica as
a second choice for Ethiopic), embedded in the file as subsets: the PDF reads the same on any
machine, with no font of its own.

PDF is an optional part (``kompass-tui[pdf]``): without WeasyPrint, or without the fonts, the
export says what to install and writes nothing.

``archive``: PDF/A-3u, with the record's JSON (as ``kompass export --format jsonl`` writes it)
attached, so the archived document carries its own machine-readable source.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Final

from kompass_tui.storage.errors import RecordNotFound, StorageError
from sporreskjema.i18n import DEFAULT_LOCALE, LOCALES, N_, Msg, translator

if TYPE_CHECKING:
    from kompass_tui.storage.database import Database
    from sporreskjema import Questionnaire

#: What makes a municipality's machine able to write PDF, as the messages name it.
INSTALL_EXTRA: Final = "pip install 'kompass-tui[pdf]'"
INSTALL_FONTS: Final = "apt-get install fonts-noto-core"

#: Families the page's style sheet asks for, each with what must be there for it to print:
#: Latin and Cyrillic, Arabic script (Arabic, Dari, Pashto, Sorani), Ethiopic (Tigrinya,
#: Amharic). One family of each group is enough.
NEEDED_FAMILIES: Final = (
    ("Noto Sans",),
    ("Noto Naskh Arabic", "Noto Sans Arabic"),
    ("Noto Sans Ethiopic", "Abyssinica SIL"),
)

#: The print layout, on top of the page's own style: A4, the person's name at the top of
#: every page (so loose pages find their record), page numbers at the bottom.
PRINT_CSS: Final = """
@page {
    size: A4;
    font-family: "Noto Sans", sans-serif;
    margin: 18mm 15mm 18mm 15mm;
    @top-left { content: string(person); font-size: 8pt; color: #444; }
    @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; color: #444; }
}
html { font-size: 10pt; }
body { margin: 0; }
h1 { string-set: person content(); }
article { margin-bottom: 0; }
/* Columns as wide as the page's style says, not measured from every cell's words first: a
   page of tables is laid out three times faster. */
table { table-layout: fixed; }
tr { break-inside: avoid; }
h2 { break-after: avoid; }
"""


class PdfError(StorageError):
    pass


@dataclass(frozen=True)
class Attachment:
    """A file inside the PDF (PDF/A-3: the record's source data)."""

    name: str
    data: bytes
    description: str


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError):
        # OSError: WeasyPrint is there but Pango is not (it loads the library at import).
        raise PdfError(
            Msg(
                N_(
                    "PDF needs the optional part for it: %(command)s (and the system's Pango "
                    "library)."
                ),
                {"command": INSTALL_EXTRA},
            )
        ) from None
    return weasyprint


@cache
def missing_fonts() -> tuple[str, ...]:
    """The font families the page needs and fontconfig does not know (the first of each group
    named), or nothing when all are there, or when there is no ``fc-list`` to ask."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ()
    try:
        listed = subprocess.run(  # noqa: S603 - a fixed program and arguments
            [fc_list, ":", "family"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    known = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    return tuple(group[0] for group in NEEDED_FAMILIES if not known.intersection(group))


def require() -> Any:
    """WeasyPrint, once it is known that it and the fonts are there; else the message that says
    what to install (:class:`PdfError`), as the export and the kiosk's printer settings both
    say it (each adding what it did not do)."""
    weasyprint = _weasyprint()
    missing = missing_fonts()
    if missing:
        raise PdfError(
            Msg(
                N_("PDF needs fonts that this machine does not have (%(fonts)s): %(command)s."),
                {"fonts": ", ".join(missing), "command": INSTALL_FONTS},
            )
        )
    return weasyprint


class Renderer:
    """Pages of HTML to PDF bytes; one for a whole export, so fonts are loaded once."""

    def __init__(self, *, archive: bool = False) -> None:
        weasyprint = require()
        from weasyprint.text.fonts import FontConfiguration

        self._weasyprint = weasyprint
        self.archive = archive
        self.fonts = FontConfiguration()
        # Nothing is fetched: the page has no image, link or style sheet of its own, and a
        # text typed at the kiosk is escaped, so no URL in it could be followed anyway.
        self.fetcher = weasyprint.URLFetcher(allowed_protocols=())
        self.style = weasyprint.CSS(
            string=PRINT_CSS, font_config=self.fonts, url_fetcher=self.fetcher
        )

    def render(self, page: str, attachments: Sequence[Attachment] = ()) -> bytes:
        weasyprint = self._weasyprint
        files = [
            weasyprint.Attachment(
                file_obj=io.BytesIO(item.data),
                name=item.name,
                description=item.description,
                relationship="Source",
            )
            for item in attachments
        ]
        options: dict[str, Any] = {"attachments": files}
        if self.archive:
            options["pdf_variant"] = "pdf/a-3u"
        try:
            document = weasyprint.HTML(string=page, url_fetcher=self.fetcher)
            data: bytes = document.write_pdf(
                stylesheets=[self.style], font_config=self.fonts, **options
            )
        except Exception as exc:  # a fault inside the layout: one line, never a traceback
            raise PdfError(
                Msg(
                    N_("The PDF could not be made (%(reason)s). Nothing was exported."),
                    {"reason": f"{type(exc).__name__}: {exc}"},
                )
            ) from exc
        return data


def person_copy(db: Database, record_id: uuid.UUID, questionnaire: Questionnaire) -> bytes:
    """The person's own copy of their record as PDF, all of it in the language they answered
    in: what the kiosk prints for them after they send (never written to a file)."""
    from kompass_tui.exchange.printable import Printable
    from kompass_tui.exchange.records import Selection, batches

    for batch in batches(db, Selection(record_id=record_id), questionnaire):
        for record in batch.records:
            locale = record.get("locale")
            reader = translator(locale if locale in LOCALES else DEFAULT_LOCALE)
            printable = Printable(questionnaire, reader, {})
            return Renderer().render(printable.page([printable.article(record)]))
    raise RecordNotFound(record_id)
