"""The paper page's questions come from a per-paper sheet with the candidate's answers filled in: the
markup is the one the template's Jinja loop drew, for every state a question can be in."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from attempts_world import MORNING, registrations
from flask_babel import get_locale, refresh
from sqlalchemy import select

from exams.attempts import paper_view
from exams.attempts.models import ExamAttempt
from exams.attempts.paper_view import shown_items
from exams.attempts.routes.sitting import Links
from exams.attempts.services import save_answer, start_attempt
from exams.models import PaperItem
from lms.extensions import db

START = MORNING + timedelta(minutes=5)

# The loops page.html had before the sheets (the reference the sheets must match).
NAV_LOOP = """{% for item in items %}
<li><a href="#q-{{ item.number }}" id="nav-{{ item.number }}" data-number="{{ item.number }}"
       class="nav-q{% if item.answered %} answered{% endif %}{% if item.flagged %} flagged{% endif %}">{{ item.number }}<span class="visually-hidden nav-desc">, {{ _('answered') if item.answered else _('not answered') }}{% if item.flagged %}, {{ _('flagged for review') }}{% endif %}</span></a></li>
{% endfor %}"""  # noqa: E501
ITEMS_LOOP = """{% for item in items %}
<section class="question" id="q-{{ item.number }}" data-item="{{ item.id }}" data-number="{{ item.number }}"
         data-seq="{{ item.seq }}" aria-labelledby="q-{{ item.number }}-h">
  <h2 id="q-{{ item.number }}-h" tabindex="-1">{{ _('Question %(n)d of %(total)d', n=item.number, total=items|length) }}
    <span class="q-meta">{{ item.type_label }} · {{ _('Points: %(p)s', p='%g'|format(item.points)) }}</span></h2>
  <p class="stem" translate="no">{{ item.stem }}</p>
  {% if item.image %}<img class="stem-image" src="{{ links.image(item.id) }}" alt="{{ _('Image for the question') }}">{% endif %}
  <fieldset class="options" data-role="answer" {% if paused %}disabled{% endif %}>
    <legend class="visually-hidden">{{ _('Your answer to question %(n)d', n=item.number) }}{% if item.multiple %} ({{ _('choose all that apply') }}){% endif %}</legend>
    {% for label in item.options %}
    <label class="option"><input type="{{ 'checkbox' if item.multiple else 'radio' }}" name="a-{{ item.id }}" value="{{ loop.index0 }}"{% if loop.index0 in item.choice %} checked{% endif %}>
      {% if item.qtype != 'true_false' %}<span class="letter">{{ 'ABCDEFGH'[loop.index0] }}.</span>{% endif %}
      <span translate="no">{{ label }}</span></label>
    {% endfor %}
  </fieldset>
  <div class="q-tools">
    <label class="flag"><input type="checkbox" data-role="flag"{% if item.flagged %} checked{% endif %}{% if paused %} disabled{% endif %}> {{ _('Flag for review') }}</label>
    <button type="button" class="link" data-role="clear"{% if paused %} disabled{% endif %}>{{ _('Clear my answer') }}</button>
    <span class="save-state" data-role="state" aria-live="polite">{% if item.seq %}{{ _('Saved') }}{% endif %}</span>
  </div>
  {% if view == 'one' %}
  <p class="q-nav">
    {% if not loop.first %}<a class="button secondary" href="#q-{{ item.number - 1 }}" rel="prev">{{ _('Previous') }}</a>{% endif %}
    {% if not loop.last %}<a class="button" href="#q-{{ item.number + 1 }}" rel="next">{{ _('Next') }}</a>
    {% else %}<a class="button" href="{{ links.summary }}">{{ _('Review and hand in') }}</a>{% endif %}
  </p>
  {% endif %}
</section>
{% endfor %}"""  # noqa: E501


@contextmanager
def page_request(app, lang: str):
    """A request in ``lang`` (the tests' outer context would otherwise keep its locale)."""
    with app.test_request_context(headers={"Accept-Language": lang}):
        refresh()
        yield
    refresh()


def same_markup(html) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", str(html))).strip()


@pytest.fixture
def answered(exam):
    """An attempt with an answered, an answered-and-flagged and a flagged-only question, and an image."""
    reg = registrations(exam)[0]
    attempt = start_attempt(reg, START)
    db.session.commit()
    items = db.session.scalars(select(PaperItem).where(PaperItem.paper_id == attempt.paper_id)
                               .order_by(PaperItem.position)).all()
    items[1].version.image = "a" * 64 + ".png"
    items[2].version.stem = 'Which <b>sign</b> & "why"?'
    save_answer(attempt.id, items[0].id, [1], False, 3, START)
    save_answer(attempt.id, items[1].id, [0], True, 4, START)
    save_answer(attempt.id, items[-1].id, [], True, 5, START)
    db.session.commit()
    paper_view._papers.clear()
    paper_view._versions.clear()
    return db.session.get(ExamAttempt, attempt.id)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@pytest.mark.parametrize("view", ["one", "list"])
@pytest.mark.parametrize("paused", [False, True])
def test_the_sheet_draws_what_the_template_loop_drew(app, answered, lang, view, paused):
    with page_request(app, lang):
        assert get_locale().language == lang[:2]
        items = shown_items(answered)
        links = Links("attempts.")
        env = app.jinja_env
        expected_nav = env.from_string(NAV_LOOP).render(items=items)
        expected_items = env.from_string(ITEMS_LOOP).render(items=items, links=links, view=view,
                                                            paused=paused)
        assert same_markup(items.nav_html()) == same_markup(expected_nav)
        assert same_markup(items.items_html(view, paused, links)) == same_markup(expected_items)
        # Drawn again from the cached sheet, for a second request.
        again = shown_items(answered)
        assert same_markup(again.items_html(view, paused, links)) == same_markup(expected_items)


def test_a_paper_is_cached_per_language_and_the_answers_are_not(app, answered, exam):
    with page_request(app, "en"):
        first = shown_items(answered)
        assert [i.number for i in first if i.answered] == [1, 2]
        assert [(answered.paper_id, "en")] == paper_view._papers.keys()
        item = first[2]
        save_answer(answered.id, item.id, [0], False, 9, START)
        db.session.commit()
        second = shown_items(answered)
        assert second[2].choice == [0] and second[2].seq == 9
        assert 'data-seq="9"' in second.items_html("list", False, Links("attempts."))
    with page_request(app, "zh-CN"):
        shown_items(answered)
        assert len(paper_view._papers) == 2


def test_the_cache_is_bounded(app, answered, monkeypatch):
    monkeypatch.setattr(paper_view._papers, "size", 1)
    with page_request(app, "en"):
        shown_items(answered)
    with page_request(app, "zh-CN"):
        shown_items(answered)
    assert [key[1] for key in paper_view._papers.keys()] == ["zh_Hans_CN"]
