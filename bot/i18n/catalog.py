"""The message catalog: English source texts, one gettext ``.po`` file per other language.

Why gettext ``.po`` with Babel and not Fluent: Babel is already what formats dates, times and numbers
per locale here, and reads ``.po`` files directly (no compile step, no second dependency); ``.po`` is
what translators and their tools (Weblate, Poedit, Crowdin) know best; ``fuzzy`` flags give the
"needs review" state the tests check for. Fluent's strength, grammar-aware selectors, matters little
for short bot replies; the few plurals we need are two messages.

Placeholders are named, ``{name}`` as in ``str.format``: a translation may reorder them but must
use exactly the same names (``catalog_problems`` checks). Literal braces are doubled.

A message is identified by its English text and an optional gettext context (``msgctxt``): the
command translator uses the place a string appears ("command_name", "parameter_description", ...)
so that the option name "time" and a sentence reading "time" are separate entries.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.i18n.locales import ENGLISH, SUPPORTED

LOCALE_DIR = Path(__file__).resolve().parent / "locales"
TEMPLATE = LOCALE_DIR / "messages.pot"
DOMAIN = "messages"


@dataclass(frozen=True, slots=True, order=True)
class Message:
    """One source message: its English text and where it is used (gettext's msgctxt)."""

    context: str | None
    text: str


@dataclass(frozen=True, slots=True)
class CatalogProblem:
    kind: Literal["missing", "fuzzy", "placeholders", "unnamed", "unknown"]
    message: Message
    detail: str = ""

    def __str__(self) -> str:
        where = f"[{self.message.context}] " if self.message.context else ""
        return f"{self.kind}: {where}{self.message.text!r}" + (
            f" ({self.detail})" if self.detail else ""
        )


class MessageCatalog:
    """One language's translations; English (the source) is an empty catalog."""

    def __init__(self, locale: str, translations: Mapping[Message, str]) -> None:
        self.locale = locale
        # Keyed by plain (context, text) tuples: every reply looks up dozens of messages, and a
        # tuple is built and hashed far faster than a Message (/sleep stats: 39 per reply).
        self._translations = {(m.context, m.text): t for m, t in translations.items()}

    def __len__(self) -> int:
        return len(self._translations)

    def lookup(self, text: str, context: str | None = None) -> str | None:
        """The translation, or None when this catalog has no usable one (missing, empty, fuzzy)."""
        return self._translations.get((context, text))

    def gettext(self, text: str, context: str | None = None, **params: object) -> str:
        """The translated text (English when there is none) with its placeholders filled in."""
        chosen = self.lookup(text, context) or text
        return chosen.format(**params) if params else chosen


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    """Babel's view of a ``.po``/``.pot`` file, with fuzzy flags and contexts intact."""
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, domain=DOMAIN)


def source_messages(template: Path = TEMPLATE) -> list[Message]:
    """Every message the bot can show, from the English template (``messages.pot``)."""
    return sorted(
        (
            Message(entry.context, entry.id)
            for entry in read_catalog(template)
            if entry.id and isinstance(entry.id, str)
        ),
        key=lambda m: (m.context or "", m.text),
    )


@functools.cache
def load_catalog(locale: str) -> MessageCatalog:
    """The catalog for a supported locale; fuzzy and empty entries are left out (English shows)."""
    if locale == ENGLISH or locale not in SUPPORTED:
        return MessageCatalog(ENGLISH, {})
    translations: dict[Message, str] = {}
    for entry in read_catalog(po_path(locale), locale):
        usable = isinstance(entry.string, str) and entry.string and not entry.fuzzy
        if entry.id and isinstance(entry.id, str) and usable:
            translations[Message(entry.context, entry.id)] = str(entry.string)
    return MessageCatalog(locale, translations)


def translate(text: str, locale: str, *, context: str | None = None, **params: object) -> str:
    """``text`` in ``locale`` (English if untranslated), placeholders filled from ``params``."""
    return load_catalog(locale).gettext(text, context, **params)


def placeholders(text: str) -> list[str]:
    """The placeholder names in a message, in order (``""`` for an unnamed or numbered one)."""
    names: list[str] = []
    for _, field, _, _ in string.Formatter().parse(text):
        if field is None:
            continue
        # "{when:%H}" or "{user.name}" still name "when" / "user".
        name = field.split(".", 1)[0].split("[", 1)[0]
        names.append("" if not name or name.isdigit() else name)
    return names


def catalog_problems(
    source: Iterable[Message], translated: Catalog | Path, locale: str | None = None
) -> list[CatalogProblem]:
    """What stops a catalog from being complete: every source message needs a translation that is
    not fuzzy, not empty, and uses the same named placeholders; entries for messages the source no
    longer has are reported too (they would hide a renamed message's missing translation)."""
    catalog = translated if isinstance(translated, Catalog) else read_catalog(translated, locale)
    entries = {
        Message(entry.context, entry.id): entry
        for entry in catalog
        if entry.id and isinstance(entry.id, str)
    }
    problems: list[CatalogProblem] = []
    wanted = list(source)
    for message in wanted:
        try:
            source_names = placeholders(message.text)
        except ValueError as exc:
            problems.append(CatalogProblem("unnamed", message, f"bad braces: {exc}"))
            continue
        if "" in source_names:
            problems.append(CatalogProblem("unnamed", message, "placeholders must be named"))
        entry = entries.get(message)
        if entry is None or not isinstance(entry.string, str) or not entry.string.strip():
            problems.append(CatalogProblem("missing", message))
            continue
        if entry.fuzzy:
            problems.append(CatalogProblem("fuzzy", message))
        try:
            target_names = placeholders(entry.string)
        except ValueError as exc:
            problems.append(CatalogProblem("placeholders", message, f"bad braces: {exc}"))
            continue
        if sorted(source_names) != sorted(target_names):
            problems.append(
                CatalogProblem(
                    "placeholders",
                    message,
                    f"source has {sorted(source_names)}, translation {sorted(target_names)}",
                )
            )
    known = set(wanted)
    problems.extend(
        CatalogProblem("unknown", message, "not in the source any more")
        for message in sorted(entries, key=lambda m: (m.context or "", m.text))
        if message not in known
    )
    return problems
