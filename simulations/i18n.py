"""Screen text in Simplified Chinese and English from the ``drills`` gettext domain."""

from __future__ import annotations

import gettext
import io
from pathlib import Path
from typing import Any

DOMAIN = "drills"
LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"

_state: dict[str, object] = {
    "lang": DEFAULT_LANGUAGE,
    "source": "none",
    "translation": gettext.NullTranslations(),
}


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (used in models)."""
    return message


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    translation = _state["translation"]
    assert isinstance(translation, gettext.NullTranslations)
    return translation.gettext(message)


def language() -> str:
    """Return the current language code."""
    return str(_state["lang"])


def catalog_source() -> str:
    """Say where the current catalog came from: ``mo``, ``po`` (babel) or ``none``."""
    return str(_state["source"])


def set_language(lang: str) -> None:
    """Switch the current language, loading its catalog."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; choose from {LANGUAGES}")
    translation, source = _load(lang)
    _state.update(lang=lang, translation=translation, source=source)


def _load(lang: str) -> tuple[gettext.NullTranslations, str]:
    try:
        return gettext.translation(DOMAIN, str(LOCALE_DIR), [lang]), "mo"
    except OSError:
        pass
    # A source checkout has only the .po files; compile one in memory if babel exists.
    compiled = _compile_po(LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po")
    if compiled is not None:
        return gettext.GNUTranslations(io.BytesIO(compiled)), "po"
    return gettext.NullTranslations(), "none"


def _compile_po(po_path: Path) -> bytes | None:
    try:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po
    except ImportError:
        return None
    if not po_path.exists():
        return None
    with po_path.open("rb") as fh:
        catalog = read_po(fh)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


_translators: dict[str, gettext.NullTranslations] = {}


def translate(message: str, lang: str, params: Any = None) -> str:
    """Translate ``message`` into ``lang`` (without changing the current language) and fill in
    ``params`` (a mapping or pairs) when the text has placeholders."""
    if lang not in _translators:
        _translators[lang] = _load(lang)[0] if lang in LANGUAGES else gettext.NullTranslations()
    text = _translators[lang].gettext(message)
    return text % dict(params) if params else text
