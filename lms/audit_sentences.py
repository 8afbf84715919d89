"""Audit events as sentences: a registry of action codes, their groups and the pages they link to.

Packages register their own action codes (courses, exams) from their init_app, so the core never
imports them; tests/lms/test_readable_pages.py fails for an action code without a sentence.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for
from flask_login import current_user
from markupsafe import Markup, escape

from lms.authz import has_permission
from lms.i18n import _, _l
from lms.roles import ROLE_LABELS

#: action code -> sentence msgid (lazy); placeholders are %(actor)s, %(target)s and detail names.
SENTENCES: dict[str, object] = {}
#: group code -> (label, action codes), in the order the filter lists them.
GROUPS: dict[str, tuple[object, set[str]]] = {}


@dataclass(frozen=True)
class TargetLink:
    """How to name and open the object an event touched (by its class name)."""

    endpoint: str
    arg: str
    permission: str | None
    label: Callable[[object], str]


TARGETS: dict[str, TargetLink] = {}
#: detail name -> how to put its value into words (roles, statuses, reasons are codes otherwise).
DETAIL_WORDS: dict[str, Callable[[object], str]] = {}


def register_group(group: str, label) -> None:
    """Add an action group to the filter (idempotent: init_app may run once per app)."""
    GROUPS.setdefault(group, (label, set()))


def register_sentences(group: str, sentences: dict[str, object]) -> None:
    """Give each action code a sentence and put it in a group."""
    SENTENCES.update(sentences)
    GROUPS[group][1].update(sentences)


def register_target(type_name: str, endpoint: str, arg: str, permission: str | None,
                    label: Callable[[object], str]) -> None:
    """Say which page shows objects of a class, and who may open it."""
    TARGETS[type_name] = TargetLink(endpoint, arg, permission, label)


def register_detail_words(name: str, words: Callable[[object], str]) -> None:
    """Say how a detail's coded value reads (e.g. a role code as the role's name)."""
    DETAIL_WORDS[name] = words


def group_actions(group: str) -> set[str]:
    """The action codes of a group (empty for an unknown group)."""
    return GROUPS.get(group, (None, set()))[1]


def _plain(value) -> str:
    """A detail value as words: lists count their items, yes/no for booleans."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list | tuple | set):
        return str(len(value))
    if value is None or value == "":
        return "—"
    return str(value)


class _Params(dict):
    """Placeholders for a sentence; a detail an older event lacks reads as a dash."""

    def __missing__(self, key):
        return "—"


def actor_html(event) -> Markup:
    """The acting account by its display name, linked when the viewer manages accounts."""
    if event.actor is None:
        return escape(_("Someone (not signed in)") if event.action.startswith("auth.") else _("The system"))
    name = event.actor.display_name or event.actor.username
    return _link(name, "web.account", {"account_id": event.actor.id}, "accounts.manage")


def target_html(event, target) -> Markup:
    """The touched object by its name, linked when the viewer may open its page."""
    if not event.target_type:
        return escape("—")
    how = TARGETS.get(event.target_type)
    if how is None or target is None:
        return escape(_("item No. %(id)s", id=event.target_id))
    return _link(how.label(target), how.endpoint, {how.arg: event.target_id}, how.permission)


def _link(text: str, endpoint: str, args: dict, permission: str | None) -> Markup:
    if permission is None or has_permission(current_user, permission):
        return Markup('<a href="{}">{}</a>').format(url_for(endpoint, **args), text)
    return escape(text)


def sentence(event, target=None) -> Markup:
    """The event as one sentence in the active locale, with links to what it touched."""
    params = _Params({k: str(DETAIL_WORDS[k](v)) if k in DETAIL_WORDS and v is not None else _plain(v)
                      for k, v in (event.details or {}).items()})
    params.update(actor=actor_html(event), target=target_html(event, target))
    msg = SENTENCES.get(event.action)
    if msg is None:
        return Markup("{} · {}").format(params["actor"], _("another action"))
    # escape() gives Markup, whose % escapes every plain value; the links above are Markup already.
    return escape(str(msg)) % params


def register_core() -> None:
    """Sentences and targets of the core's own action codes."""
    register_group("sign_in", _l("Sign-in"))
    register_group("accounts", _l("Accounts and roles"))
    register_group("imports", _l("Imports and exports"))
    register_sentences("sign_in", {
        "auth.login": _l("%(actor)s signed in"),
        "auth.login_failed": _l("A sign-in as %(username)s failed"),
        "auth.login_delayed": _l("Sign-ins as %(username)s must wait after repeated failures"),
        "auth.login_throttled": _l("A sign-in as %(username)s was refused while waiting"),
        "auth.logout": _l("%(actor)s signed out"),
        "auth.password_changed": _l("%(actor)s changed their password"),
        "auth.email_changed": _l("%(actor)s changed their e-mail address"),
        "auth.sign_ins_ended": _l("%(actor)s ended %(count)s other sign-in(s)"),
    })
    register_sentences("accounts", {
        "account.created": _l("%(actor)s created the account %(target)s"),
        "role.granted": _l("%(actor)s granted %(target)s a role (%(role)s)"),
        "role.revoked": _l("%(actor)s revoked a role (%(role)s) of %(target)s"),
        "token.issued": _l("%(actor)s created an API token"),
        "token.revoked": _l("%(actor)s revoked an API token"),
    })
    register_sentences("imports", {
        "roster.imported": _l("%(actor)s imported a roster (%(added)s added, "
                              "%(rejected_rows)s rows rejected)"),
        "roster.cancelled": _l("%(actor)s cancelled a roster import"),
        "employment.ended": _l("%(actor)s recorded that %(target)s leaves a post on %(end_date)s"),
        "employment.leave": _l("%(actor)s recorded %(target)s as away from the job"),
        "employment.returned": _l("%(actor)s recorded %(target)s as back on the job"),
    })
    register_target("Account", "web.account", "account_id", "accounts.manage",
                    lambda a: a.display_name or a.username)
    register_target("Organization", "web.organization", "org_id", "org.view", lambda o: o.name)
    register_target("RosterImport", "roster.review", "import_id", "roster.import", lambda r: r.filename)
    register_target("Person", "web.person", "person_id", "people.view", lambda p: p.name)
    register_detail_words("role", lambda code: ROLE_LABELS.get(code, code))
