"""An enterprise admin records that someone left a post or is away from the job; the
certified-on-the-job figures stop counting the post at once."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from certificates.compliance.models import ComplianceFact
from lms.clock import today
from lms.extensions import db
from lms.models import AuditEvent, Employment, Post
from lms.roles import Role


@pytest.fixture
def world(make):
    make.rules()
    ent = make.org("无锡甲化工", high_risk=True)
    other = make.org("无锡乙机械")
    worker = make.person("王焊工", org=ent, post=Post.SPECIAL_OPERATIONS, subtype="2.1")
    stranger = make.person("赵外人", org=other, post=Post.SAFETY_MANAGER)
    make.account("admin", Role.ENTERPRISE_ADMIN, org=ent)
    db.session.commit()
    return {"ent": ent, "worker": worker, "employment": worker.employments[0], "stranger": stranger}


def _post(client, url: str, **data):
    return client.post(url, data=data, headers={"Accept-Language": "en"}, follow_redirects=True)


def _url(person, employment, action: str) -> str:
    return f"/people/{person.id}/employments/{employment.id}/{action}"


def _on_job(employment_id: int) -> int:
    return db.session.scalar(select(ComplianceFact.on_job).where(
        ComplianceFact.employment_id == employment_id))


def test_ending_a_post_sets_the_last_day_records_why_and_stops_counting_it(client, login, world):
    login("admin")
    worker, employment = world["worker"], world["employment"]
    assert _on_job(employment.id) == 1
    last_day = today() - timedelta(days=1)
    page = _post(client, _url(worker, employment, "end"), end_date=last_day.isoformat(), reason="辞职")
    assert f"The post ends on {last_day.isoformat()}" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Employment, employment.id).end_date == last_day
    assert _on_job(employment.id) == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "employment.ended"))
    assert event.details["reason"] == "辞职" and event.details["employment_id"] == employment.id


def test_a_second_end_or_an_end_before_the_start_is_refused_and_changes_nothing(client, login, world):
    login("admin")
    worker, employment = world["worker"], world["employment"]
    before_start = employment.start_date - timedelta(days=1)
    page = _post(client, _url(worker, employment, "end"), end_date=before_start.isoformat(), reason="x")
    assert "cannot be before the start date" in page.get_data(as_text=True)
    first = today().isoformat()
    _post(client, _url(worker, employment, "end"), end_date=first, reason="辞职")
    later = (today() + timedelta(days=10)).isoformat()
    page = _post(client, _url(worker, employment, "end"), end_date=later, reason="x")
    assert "already ended" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Employment, employment.id).end_date == today()
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "employment.ended")) == 1


def test_away_and_back_toggle_the_on_the_job_flag_and_the_figures_follow(client, login, world):
    login("admin")
    worker, employment = world["worker"], world["employment"]
    page = _post(client, _url(worker, employment, "leave"), reason="病假")
    assert "Recorded as away from the job." in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Employment, employment.id).is_on_the_job is False
    assert _on_job(employment.id) == 0
    page = _post(client, _url(worker, employment, "leave"), reason="again")
    assert "Nothing to change" in page.get_data(as_text=True)
    _post(client, _url(worker, employment, "return"), reason="病愈")
    db.session.expire_all()
    assert db.session.get(Employment, employment.id).is_on_the_job is True
    assert _on_job(employment.id) == 1
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("employment.%"))
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["employment.leave", "employment.returned"]


def test_another_enterprises_post_answers_404_and_a_missing_reason_changes_nothing(client, login, world):
    login("admin")
    stranger = world["stranger"]
    foreign = stranger.employments[0]
    refused = client.post(_url(stranger, foreign, "end"), data={"end_date": "2026-01-01", "reason": "x"})
    assert refused.status_code == 404
    worker, employment = world["worker"], world["employment"]
    page = _post(client, _url(worker, employment, "end"), end_date="", reason="")
    assert "Give the last day and a reason." in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Employment, foreign.id).end_date is None
    assert db.session.get(Employment, employment.id).end_date is None


def test_the_person_page_offers_the_changes_only_to_the_posts_admin(client, login, world, make):
    login("admin")
    worker = world["worker"]
    html = client.get(f"/people/{worker.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "End this post" in html and "Away from the job" in html
    assert f'action="/people/{worker.id}/employments/{world["employment"].id}/end"' in html
