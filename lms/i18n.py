"""Locale selection and the gettext helpers every package uses."""

from babel import Locale
from flask import current_app, request, session
from flask_babel import get_locale, gettext, lazy_gettext, ngettext
from flask_login import current_user

_ = gettext
_l = lazy_gettext

__all__ = ["_", "_l", "current_locale", "ngettext", "select_locale"]


def select_locale() -> str:
    """Choose the UI language: explicit choice, then the account's, then the browser's, then zh_CN."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale:
        return current_user.locale
    tags = _browser_tags(languages)
    best = request.accept_languages.best_match(tags)
    return tags.get(best, current_app.config["BABEL_DEFAULT_LOCALE"])


def _browser_tags(languages) -> dict[str, str]:
    """Map browser language tags (zh-CN, zh, en) to our locales."""
    tags = {}
    for lang in languages:
        tags[lang.replace("_", "-")] = lang
        tags.setdefault(lang.split("_")[0], lang)
    return tags


def current_locale() -> str:
    """Active locale as one of the configured codes ("zh_CN", "en")."""
    active = get_locale()
    for code in current_app.config["LANGUAGES"]:
        if active is not None and Locale.parse(code) == active:
            return code
    return current_app.config["BABEL_DEFAULT_LOCALE"]
