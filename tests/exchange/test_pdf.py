"""The PDF export: a record answered in each of the sixteen languages, laid out as PDF, read back
with poppler's tools as an archive or a person would read it: every font embedded
(``pdffonts``), the person's own words in logical order (``pdftotext``), Arabic-script letters
joined on the rendered page (``pdftoppm``), and PDF/A-3u with the record's JSON inside.

All records are exported once (a module fixture), so the sixteen layouts cost one export."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
import uuid
from pathlib import Path

import pytest
from pypdf import PdfReader

from kompass_tui.exchange import pdf
from kompass_tui.exchange.export import Format, PdfOptions, export
from kompass_tui.exchange.printable import PAGE_END, page_start
from kompass_tui.exchange.records import Selection
from kompass_tui.i18n import set_locale
from kompass_tui.storage import records
from kompass_tui.storage.database import Database, open_database
from kompass_tui.storage.models import Mode
from sporreskjema import load_builtin, translator
from sporreskjema.i18n import LOCALES
from tests.support.exchange import PASSWORD, caseworker
from tests.support.helpers import TODAY, filled
from tests.support.storage import save_form

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext, pdffonts) is missing"
)

#: Each language's person: a name and a long-term goal in that language's script. Pashto's
#: name has ټ ښ ګ ڼ, Sorani's words ڵ and ێ; Tigrinya and Amharic are Ethiopic.
PEOPLE = {
    "nb": ("Åse Ødegård", "Jeg vil bli sykepleier i Tromsø"),
    "nn": ("Kåre Øvrebø", "Eg vil arbeide som snikkar"),
    "en": ("John Smith", "I want to work as an electrician"),
    "uk": ("Олена Шевченко", "Хочу працювати медсестрою"),
    "ru": ("Дмитрий Иванов", "Хочу работать программистом"),
    "ar": ("رامي حداد", "أريد أن أعمل مهندسا في النرويج"),
    "fa_AF": ("زهرا احمدی", "میخواهم معلم شوم"),
    "ps": ("ګلپاڼه ښکلې ټکړ", "زه غواړم ډاکټره شم"),
    "ti": ("ሄኖክ ተስፋይ", "ኣብ ኖርወይ ነርስ ክኸውን ደልየ"),
    "so": ("Faadumo Cali", "Waxaan rabaa inaan noqdo kalkaaliso"),
    "fr": ("Amélie Ndiaye", "Je veux être infirmière à Bergen"),
    "ckb": ("شێرکۆ عەبدوڵڵا", "دەمەوێت ببمە پزیشکی منداڵان"),
    "kmr": ("Şêrko Xelîl", "Ez dixwazim bibim mamoste"),
    "tr": ("Ayşe Yılmaz", "Öğretmen olmak istiyorum"),
    "sw": ("Amani Mwangi", "Nataka kufanya kazi ya uuguzi"),
    "am": ("አበበ ከበደ", "በኖርዌይ ነርስ መሆን እፈልጋለሁ"),
}
ARABIC_SCRIPT = ("ar", "fa_AF", "ps", "ckb")


def test_every_language_has_a_person() -> None:
    assert set(PEOPLE) == set(LOCALES)


def _tool(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def _plain(text: str) -> str:
    """Text as compared: NFC, every run of spaces and line breaks one space, without the
    embedding marks pdftotext puts around a right-to-left line."""
    text = re.sub("[\u202a-\u202e]", "", text)
    return " ".join(unicodedata.normalize("NFC", text).split())


def _register(db: Database, locale: str) -> uuid.UUID:
    kompass = load_builtin()
    name, goal = PEOPLE[locale]
    form = filled(
        kompass,
        TODAY,
        {"full_name": name, "birth_date": "02.03.1990", "long_term_goal": goal},
    )
    new = records.create_record(db, questionnaire=kompass, mode=Mode.kiosk, locale=locale)
    save_form(db, new.id, form)
    records.submit(db, record_id=new.id)
    return new.id


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    """A record in each language, exported as PDF/A (a file each) with Norwegian as the
    reader's language: the folder, and each language's file."""
    folder = tmp_path_factory.mktemp("pdf")
    db = open_database(f"sqlite:///{folder / 'kompass.sqlite3'}")
    try:
        worker = caseworker(db)
        ids = {locale: _register(db, locale) for locale in PEOPLE}
        set_locale("nb")
        result = export(
            db,
            fmt=Format.pdf,
            out=folder / "out",
            selection=Selection(),
            actor_id=worker,
            pdf_options=PdfOptions(archive=True),
        )
    finally:
        db.dispose()
    assert result.records == len(PEOPLE)
    files = {locale: folder / "out" / f"{record_id}.pdf" for locale, record_id in ids.items()}
    assert sorted(result.files) == sorted(files.values())
    return folder, files


@pytest.mark.parametrize("locale", list(PEOPLE))
def test_every_font_is_embedded_and_the_words_read_back(
    exported: tuple[Path, dict[str, Path]], locale: str
) -> None:
    path = exported[1][locale]
    assert path.stat().st_mode & 0o777 == 0o600
    fonts = _tool("pdffonts", str(path)).splitlines()[2:]
    assert fonts, "no font at all"
    for line in fonts:
        # name, type…, then the columns emb sub uni: every font embedded, as a subset.
        emb, sub, uni = line.split()[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), line
    text = _plain(_tool("pdftotext", str(path), "-"))
    name, goal = PEOPLE[locale]
    # Logical order: the words as they were typed, not as they are drawn (right to left).
    assert _plain(name) in text
    assert _plain(goal) in text
    # Norwegian beside the person's language, for the caseworker.
    assert "Fullt navn" in text


def test_pdf_a_3u_with_the_record_inside(exported: tuple[Path, dict[str, Path]]) -> None:
    """What a PDF/A-3u validator asks first, read with poppler: the identification in the XMP
    metadata, the output intent's colour profile, fonts embedded (above), and the attached
    source with its relationship."""
    folder, files = exported
    path = files["ps"]
    meta = _tool("pdfinfo", "-meta", str(path))
    assert 'pdfaid:part="3"' in meta
    assert 'pdfaid:conformance="U"' in meta
    catalog = PdfReader(path).trailer["/Root"]
    (intent,) = catalog["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    assert "/DestOutputProfile" in intent  # the sRGB profile the colours refer to
    # WeasyPrint lists the one attachment twice in /AF; each entry is the record, as Source.
    for source in catalog["/AF"]:
        source = source.get_object()
        assert (source["/F"], source["/AFRelationship"]) == (f"{path.stem}.json", "/Source")
    assert "/Encrypt" not in PdfReader(path).trailer
    attached = _tool("pdfdetach", "-list", str(path))
    assert re.search(rf"1: {re.escape(path.stem)}\.json", attached), attached
    _tool("pdfdetach", "-save", "1", "-o", str(folder / "source.json"), str(path))
    record = json.loads((folder / "source.json").read_text(encoding="utf-8"))
    assert record["record_id"] == path.stem
    assert record["answers"]["full_name"] == PEOPLE["ps"][0]


def _name_box(pdf: Path, name: str) -> tuple[float, float, float, float]:
    """The box (points) around the name where it is largest on the first page: the heading.
    ``pdftotext -bbox`` gives words as drawn (right-to-left ones reversed), so a word is the
    name's when it has the same letters."""
    page = _tool("pdftotext", "-f", "1", "-l", "1", "-bbox", str(pdf), "-")
    letters = {"".join(sorted(word)) for word in name.split()}
    boxes = [
        tuple(float(v) for v in found[:4])
        for found in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<',
            page,
        )
        if "".join(sorted(found[4].replace("\u200c", ""))) in letters
    ]
    assert boxes, page
    tallest = max(y1 - y0 for _x0, y0, _x1, y1 in boxes)
    heading = [box for box in boxes if box[3] - box[1] > tallest - 0.5][: len(letters)]
    return (
        min(b[0] for b in heading),
        min(b[1] for b in heading),
        max(b[2] for b in heading),
        max(b[3] for b in heading),
    )


def _pieces(pdf: Path, name: str, folder: Path) -> int:
    """How many separate shapes of ink the heading is drawn with (8-connected dark pixels at
    300 dpi): each unjoined letter, each run of joined letters and each dot is one."""
    from PIL import Image

    x0, y0, x1, y1 = (round(v * 300 / 72) for v in _name_box(pdf, name))
    png = folder / f"{pdf.stem}-heading"
    _tool("pdftoppm", "-r", "300", "-f", "1", "-l", "1", "-x", str(x0 - 4), "-y", str(y0 - 4),
          "-W", str(x1 - x0 + 8), "-H", str(y1 - y0 + 8), "-gray", "-png", "-singlefile",
          str(pdf), str(png))  # fmt: skip
    image = Image.open(png.with_suffix(".png")).convert("L")
    width = image.size[0]
    data = image.tobytes()
    dark = {(i % width, i // width) for i, value in enumerate(data) if value < 128}
    pieces = 0
    while dark:
        pieces += 1
        todo = [dark.pop()]
        while todo:
            x, y = todo.pop()
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    if (x + dx, y + dy) in dark:
                        dark.remove((x + dx, y + dy))
                        todo.append((x + dx, y + dy))
    return pieces


@pytest.mark.parametrize("locale", ARABIC_SCRIPT)
def test_arabic_script_is_joined_on_the_page(
    exported: tuple[Path, dict[str, Path]], tmp_path: Path, locale: str
) -> None:
    """The name in the exported page's heading is drawn in fewer pieces than the same letters
    kept apart (a zero-width non-joiner between each two, laid out by the same renderer and
    page): its letters are joined, not drawn one by one in their isolated forms."""
    path = exported[1][locale]
    name = PEOPLE[locale][0]
    apart = "\u200c".join(name)
    reader = translator("nb")
    page = page_start(reader, load_builtin()) + f"<article><h1>{apart}</h1></article>" + PAGE_END
    reference = tmp_path / "apart.pdf"
    reference.write_bytes(pdf.Renderer().render(page))
    joined, isolated = _pieces(path, name, tmp_path), _pieces(reference, name, tmp_path)
    assert joined < isolated, (joined, isolated)


def test_the_export_without_the_fonts_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "missing_fonts", lambda: ("Noto Sans Ethiopic",))
    db = open_database(f"sqlite:///{tmp_path / 'kompass.sqlite3'}")
    try:
        worker = caseworker(db)
        _register(db, "ti")
        set_locale("en")
        with pytest.raises(pdf.PdfError) as raised:
            export(
                db,
                fmt=Format.pdf,
                out=tmp_path / "out",
                selection=Selection(),
                actor_id=worker,
            )
    finally:
        db.dispose()
    assert raised.value.message.params["fonts"] == "Noto Sans Ethiopic"
    assert not (tmp_path / "out").exists()


def test_one_file_for_the_archive_through_the_command(tmp_path: Path) -> None:
    """`kompass export --format pdf --one-file --archive`: every record in one PDF/A file, each
    from a new page, each record's JSON inside; the reviewed ones become exported."""
    from typer.testing import CliRunner

    from kompass_tui.cli import app

    url = f"sqlite:///{tmp_path / 'kompass.sqlite3'}"
    db = open_database(url)
    try:
        caseworker(db)
        ids = {locale: _register(db, locale) for locale in ("uk", "ar", "ti")}
    finally:
        db.dispose()
    out = tmp_path / "all.pdf"
    env = {"KOMPASS_LOCALE": "en", "KOMPASS_PASSWORD": PASSWORD, "KOMPASS_USER": "kari"}
    result = CliRunner().invoke(
        app,
        ["export", "--db", url, "--format", "pdf", "--one-file", "--archive", "--out", str(out)],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Records exported: 3, to {out}"
    pages = [page for page in _tool("pdftotext", str(out), "-").split("\f") if page.strip()]
    # Each record starts at the top of a page of its own: its id (the first fact, under its
    # heading) is among the first lines of the page it is on.
    for record_id in ids.values():
        (page,) = [page for page in pages if str(record_id) in page]
        lines = [line for line in page.splitlines() if line.strip()]
        at = next(i for i, line in enumerate(lines) if str(record_id) in line)
        assert at < 6, lines[: at + 1]
    attached = _tool("pdfdetach", "-list", str(out))
    for record_id in ids.values():
        assert f"{record_id}.json" in attached
    assert 'pdfaid:part="3"' in _tool("pdfinfo", "-meta", str(out))
