"""Translations: catalogs, translators and messages rendered late.

Nothing here holds a "current language". The engine returns :class:`Msg` objects,
which the caller renders with the :class:`Translator` of the language it shows
(the assisted mode shows two at once). Catalogs are the ``.po`` files under
``locales/``; they are compiled in memory the first time a locale is used, so a
plain install needs no build step.
"""

from __future__ import annotations

import atexit
import gettext
import hashlib
import hmac
import io
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final

import platformdirs
from babel import Locale
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from sporreskjema.files import is_private, make_private_dir, write_private

DOMAIN: Final = "kompass"
DEFAULT_LOCALE: Final = "nb"
#: The locales Kompass offers (README.md, "Sixteen languages"), in the order the language picker
#: shows them.
LOCALES: Final = (
    "nb", "nn", "en", "uk", "ru", "ar", "fa_AF", "ps",
    "ti", "so", "fr", "ckb", "kmr", "tr", "sw", "am",
)  # fmt: skip


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular and plural message pair for extraction (``ngettext`` later)."""
    return singular, plural


def locales_dir() -> Path:
    """The folder holding ``<locale>/LC_MESSAGES/kompass.po``.

    An installed wheel carries it inside this package; a source checkout has it at
    the top of the repository.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "locales", here.parent / "locales"):
        if (candidate / f"{DOMAIN}.pot").is_file():
            return candidate
    return here.parent / "locales"


def available_locales() -> list[str]:
    """Locales that have a catalog on disk, in :data:`LOCALES` order."""
    root = locales_dir()
    present = {p.parent.parent.name for p in root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return [code for code in LOCALES if code in present] + sorted(present - set(LOCALES))


@cache
def _compiled(locale: str) -> gettext.NullTranslations:
    """The catalog for ``locale``, compiled from its ``.po`` file."""
    compiled = _compiled_bytes(locale)
    if compiled is None:
        return gettext.NullTranslations()
    return gettext.GNUTranslations(io.BytesIO(compiled))


def compiled_file(locale: str) -> Path | None:
    """The compiled catalog of ``locale`` as a file in gettext's own layout
    (``<folder>/<locale>/LC_MESSAGES/kompass.mo``), for code that asks the standard ``gettext``
    module; ``None`` when there is no catalog or it cannot be written.

    The file is a copy of the checked catalog in a folder of this process's own, made for
    it: the standard module reads it later, when the cache could have been changed.
    """
    compiled = _compiled_bytes(locale)
    if compiled is None:
        return None
    try:
        folder = Path(tempfile.mkdtemp(prefix="kompass-catalog-")) / locale / "LC_MESSAGES"
        atexit.register(shutil.rmtree, folder.parents[1], ignore_errors=True)
        make_private_dir(folder)
        path = folder / f"{DOMAIN}.mo"
        write_private(path, compiled)
    except OSError:
        return None
    return path


@cache
def _compiled_bytes(locale: str) -> bytes | None:
    """The compiled catalog of ``locale``.

    Compiling takes a few tens of milliseconds, so the result is kept in the user cache
    folder under the hash of the ``.po`` file (a changed catalog is compiled again), signed
    (:func:`_cached`): a compiled catalog in the cache that this user's Kompass did not
    write is not used.
    """
    po = locales_dir() / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        source = po.read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256(source).hexdigest()
    path = _cache_dir() / f"{locale}-{digest[:32]}.mo"
    label = f"catalog {locale} {digest}"
    compiled = _cached(path, label)
    if compiled is not None:
        return compiled
    catalog = read_po(io.BytesIO(source), locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    compiled = buffer.getvalue()
    _keep(path, label, compiled)
    return compiled


def _cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("kompass", appauthor=False)) / "catalogs"


def _cache_key_path() -> Path:
    return Path(platformdirs.user_config_dir("kompass", appauthor=False)) / "cache.key"


@cache
def _cache_key() -> bytes | None:
    """The secret that signs what this user's Kompass keeps in its cache, in an owner-only
    file outside the cache: whoever can write the cache, but not read this, cannot make an
    entry that is used. ``None`` (and no cache) when it cannot be kept so."""
    path = _cache_key_path()
    try:
        if is_private(path):
            key = path.read_bytes()
            if len(key) == _KEY_BYTES:
                return key
        make_private_dir(path.parent)
        key = secrets.token_bytes(_KEY_BYTES)
        write_private(path, key)
    except OSError:
        return None
    return key


_KEY_BYTES = 32
_MAC_BYTES = hashlib.sha256().digest_size


def _mac(key: bytes, label: str, payload: bytes) -> bytes:
    return hmac.new(key, label.encode() + b"\0" + payload, hashlib.sha256).digest()


def _cached(path: Path, label: str) -> bytes | None:
    """What the cache holds at ``path`` for ``label``, if this user's Kompass signed it."""
    key = _cache_key()
    if key is None:
        return None
    try:
        stored = path.read_bytes()
    except OSError:
        return None
    mac, payload = stored[:_MAC_BYTES], stored[_MAC_BYTES:]
    if not hmac.compare_digest(mac, _mac(key, label, payload)):
        return None
    return payload


def _keep(path: Path, label: str, payload: bytes) -> None:
    """Sign ``payload`` and keep it in the cache at ``path`` (an owner-only file and folder)."""
    key = _cache_key()
    if key is None:
        return
    try:
        make_private_dir(path.parent)
        write_private(path, _mac(key, label, payload) + payload)
    except OSError:
        pass  # a read-only home: compile again next time


def normalise_locale(code: str) -> str:
    """Map user input such as ``nb-NO``, ``fa-AF`` or ``en_GB.UTF-8`` to a known locale."""
    cleaned = code.split(".")[0].split("@")[0].replace("-", "_").strip()
    if not cleaned:
        raise ValueError(code)
    lowered = {c.lower(): c for c in LOCALES}
    if cleaned.lower() in lowered:
        return lowered[cleaned.lower()]
    language = cleaned.split("_")[0].lower()
    aliases = {"no": "nb", "prs": "fa_AF", "ku": "kmr"}
    if language in aliases:
        return aliases[language]
    if language in lowered:
        return lowered[language]
    raise ValueError(code)


@dataclass(frozen=True)
class Translator:
    """gettext for one locale, plus its CLDR data (names, dates, direction)."""

    locale: str

    @property
    def _t(self) -> gettext.NullTranslations:
        return _compiled(self.locale)

    @property
    def cldr(self) -> Locale:
        return _cldr_locale(self.locale)

    @property
    def rtl(self) -> bool:
        return is_rtl(self.locale)

    def gettext(self, message: str) -> str:
        if _watchers:
            self._check(message, message)
        return self._t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if _watchers:
            self._check((singular, 0), singular)
        return self._t.ngettext(singular, plural, n)

    def __call__(self, message: str) -> str:
        return self.gettext(message)

    def _check(self, key: str | tuple[str, int], message: str) -> None:
        """Tell the watchers of :func:`watch_missing` about a message this catalog lacks."""
        catalog: dict[Any, str] = getattr(self._t, "_catalog", {})
        if message and key not in catalog:
            for found in _watchers:
                found.add((self.locale, message))


_watchers: list[set[tuple[str, str]]] = []


@contextmanager
def watch_missing() -> Iterator[set[tuple[str, str]]]:
    """Collect (locale, message) for every message looked up meanwhile that its catalog does not
    have, and that is therefore shown as its English message id."""
    found: set[tuple[str, str]] = set()
    _watchers.append(found)
    try:
        yield found
    finally:
        _watchers.remove(found)


@cache
def _cldr_locale(locale: str) -> Locale:
    return Locale.parse(locale)


@cache
def translator(locale: str = DEFAULT_LOCALE) -> Translator:
    return Translator(locale)


def own_name(locale: str) -> str:
    """The locale's name in its own language and script, from CLDR (e.g. ``українська``)."""
    return _facts(locale)[0]


def is_rtl(locale: str) -> bool:
    """Whether the locale's script is written from right to left, from CLDR."""
    return _facts(locale)[1]


def _facts_from_cldr(locale: str) -> tuple[str, bool]:
    cldr = _cldr_locale(locale)
    key = "ku" if locale == "kmr" else locale
    name = cldr.languages.get(key) or cldr.get_display_name(cldr) or locale
    return name[:1].upper() + name[1:], cldr.character_order == "right-to-left"


#: The name its speakers use where CLDR's is not it (CLDR calls Sorani "Central Kurdish"),
#: with the variety beside the language where that helps to find it.
OWN_NAMES: Final = {
    "ckb": "کوردی (سۆرانی)",
    "kmr": "Kurdî (Kurmancî)",
    "fa_AF": "دری",
}


def _facts(locale: str) -> tuple[str, bool]:
    facts = _cached_facts()
    if locale not in facts:
        facts[locale] = _facts_from_cldr(locale)
    name, rtl = facts[locale]
    return OWN_NAMES.get(locale, name), rtl


@cache
def _cached_facts() -> dict[str, tuple[str, bool]]:
    """Own name and direction of each of :data:`LOCALES`, kept in the user cache folder per
    Babel version.

    Each needs its locale's whole CLDR data, some milliseconds a locale, and the language
    picker, the kiosk's first screen, shows every name.
    """
    import json

    import babel

    cached = _cache_dir() / f"locales-{babel.__version__}.json"
    label = f"locales {babel.__version__}"
    try:
        stored = json.loads(_cached(cached, label) or b"")
        facts = {str(code): (str(name), bool(rtl)) for code, (name, rtl) in stored.items()}
        if set(LOCALES) <= set(facts):
            return facts
    except (ValueError, TypeError, AttributeError):
        pass
    facts = {code: _facts_from_cldr(code) for code in LOCALES}
    _keep(cached, label, json.dumps(facts, ensure_ascii=False).encode("utf-8"))
    return facts


def _alternatives(parts: list[str], tr: Translator) -> str:
    """ "a, b or c" as CLDR writes it in ``tr``'s language; where CLDR has no word for "or" in it
    (Pashto and Sorani fall back to English), a plain comma list."""
    shown = format_list(parts, style="or", locale=tr.cldr)
    if len(parts) > 1 and tr.cldr.language != "en" and " or " in shown:
        return "، ".join(parts) if tr.rtl else ", ".join(parts)
    return shown


@dataclass(frozen=True)
class Msg:
    """A translatable message with its parameters, rendered when a language is known.

    ``msgid`` uses ``%(name)s`` placeholders, which Babel checks in every catalog.
    A parameter that is itself a :class:`Msg` (a field's label, say) is rendered
    in the same language; a tuple of them becomes a list of alternatives ("a, b or c") in
    that language, a list of them a list of all ("a, b and c").
    """

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)
    msgid_plural: str | None = None
    n: int | None = None

    @classmethod
    def plural(cls, forms: tuple[str, str], n: int, **params: Any) -> Msg:
        """A message whose form depends on ``n`` (``%(n)d`` in it); ``forms`` from :func:`Nn_`."""
        return cls(forms[0], params, msgid_plural=forms[1], n=n)

    def render(self, tr: Translator) -> str:
        if self.msgid_plural is not None and self.n is not None:
            text = tr.ngettext(self.msgid, self.msgid_plural, self.n)
        else:
            text = tr.gettext(self.msgid)
        if not self.params and self.n is None:
            return text
        values: dict[str, Any] = {"n": self.n} if self.n is not None else {}
        for key, value in self.params.items():
            if isinstance(value, Msg):
                value = value.render(tr)
            elif isinstance(value, tuple) and value and all(isinstance(v, Msg) for v in value):
                value = _alternatives([v.render(tr) for v in value], tr)
            elif isinstance(value, list) and value and all(isinstance(v, Msg) for v in value):
                value = format_list([v.render(tr) for v in value], locale=tr.cldr)
            values[key] = value
        return text % values

    def __str__(self) -> str:  # pragma: no cover - for debugging only
        return self.render(translator("en"))
