"""The bulk rebuild writes exactly the fact and count rows the incremental upkeep keeps, on a small
hand-built world with every kind of gap, and verification finds nothing after it."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, select

from certificates.compliance import bulk
from certificates.compliance.models import MEASURES, ComplianceFact, OrgCounts, OrgTotals, RegionCounts
from certificates.compliance.summaries import rebuild_all, refresh_people
from certificates.compliance.verify import verify
from certificates.models import CertificateEvent, CertificateStatus, CertificateType
from exams.assessments.models import Assessment, AssessmentAssignment, AssessmentPurpose
from exams.models import Blueprint, QuestionBank
from exams.models.bank import BankPurpose
from lms.extensions import db
from lms.models import Employment, Post
from lms.regions import region_by_code


def _assess(org, person, passed: bool, completed: datetime) -> None:
    """A completed enterprise assessment of the person's first employment."""
    bank = db.session.scalar(select(QuestionBank)) or QuestionBank(
        code="BULK-P", name="练习题库", purpose=BankPurpose.PRACTICE, organization_id=org.id)
    blueprint = db.session.scalar(select(Blueprint)) or Blueprint(
        code="BULK-B", name="考核组卷", exam_kind="assessment", organization_id=org.id,
        duration_minutes=60, pass_mark=80)
    db.session.add_all([bank, blueprint])
    db.session.flush()
    assessment = Assessment(enterprise_id=org.id, title="年度考核",
                            purpose=AssessmentPurpose.ANNUAL_RETRAINING,
                            bank_id=bank.id, blueprint_id=blueprint.id, opens_at=completed,
                            closes_at=completed, time_limit_minutes=60, pass_percent=80)
    db.session.add(assessment)
    db.session.flush()
    db.session.add(AssessmentAssignment(assessment_id=assessment.id, person_id=person.id,
                                        employment_id=person.employments[0].id, score=90 if passed else 40,
                                        passed=passed, completed_at=completed))
    db.session.commit()


def _event(cert, kind: str, on: date) -> None:
    db.session.add(CertificateEvent(certificate_id=cert.id, kind=kind, on=on))
    db.session.commit()


@pytest.fixture
def world(make, holder, make_cert, on_day):
    """Two Jiangsu enterprises and one in Lu'an, eleven employments, each kind of gap once."""
    wuxi = holder.employments[0].organization
    suzhou = make.org("苏州机械有限公司", region_code="320509", industry="machinery")
    luan = make.org("六安建材有限公司", region_code="341502", industry="building_materials")
    special = Post.SPECIAL_OPERATIONS

    make_cert(holder)  # covered until its review on 2028-01-10
    _assess(wuxi, holder, True, datetime(2025, 10, 1, 2, 0, tzinfo=UTC))
    wrong = make.person("李四", wuxi, special, subtype="2.1")
    make_cert(wrong, subtype="2.2")
    _assess(wuxi, wrong, False, datetime(2025, 11, 1, 2, 0, tzinfo=UTC))
    revoked = make.person("张三", wuxi, special, subtype="1.1")
    _event(make_cert(revoked, subtype="1.1", status=CertificateStatus.REVOKED), "revoked", date(2026, 1, 15))
    make_cert(make.person("刘一", wuxi, special, subtype="2.1"), expires_on=date(2026, 3, 20))
    make_cert(make.person("陈二", wuxi, special, subtype="2.1"), next_review_on=date(2026, 2, 1))
    paused = make_cert(make.person("杨五", wuxi, special, subtype="2.1"))
    _event(paused, "suspended", date(2026, 1, 1))
    _event(paused, "reinstated", date(2026, 2, 1))

    manager = make.person("黄六", suzhou, Post.SAFETY_MANAGER, region_code="320500")
    make_cert(manager, cert_type=CertificateType.SAFETY_QUALIFICATION, subtype="none")
    db.session.add(Employment(person=manager, organization=wuxi, post=special, operation_category="2",
                              operation_subtype="2.1", start_date=date(2021, 5, 1)))
    db.session.commit()
    make_cert(manager, subtype="2.1")
    make.person("赵七", suzhou, Post.PRINCIPAL)
    make.person("吴八", suzhou, Post.OTHER)
    left = make.person("周九", suzhou, special, subtype="2.1")
    make_cert(left)
    left.employments[0].end_date = date(2025, 12, 31)
    gone = make.person("徐十", luan, special, subtype="2.1", region_code="341502")
    gone.employments[0].end_date = date(2024, 6, 30)
    db.session.commit()
    return {"wuxi": wuxi, "suzhou": suzhou, "luan": luan}


def _rows(model, key: tuple[str, ...]) -> dict:
    """Every row of a kept table by its key, without the surrogate id."""
    table = model.__table__
    columns = [c.name for c in table.c if c.name != "id"]
    return {tuple(getattr(r, k) for k in key): {c: getattr(r, c) for c in columns}
            for r in db.session.execute(select(table))}


def _kept(drop_zero_counts: bool = False) -> tuple[dict, dict, dict]:
    """Facts and counts; without the count rows that sum to nothing when asked (the upkeep keeps
    a key's row at zero once its last employment ends, a rebuild never writes one)."""
    kept = (_rows(ComplianceFact, ("employment_id",)),
            _rows(OrgCounts, ("organization_id", "post", "category")),
            _rows(RegionCounts, ("region_id", "industry", "high_risk", "post", "category")))
    if drop_zero_counts:
        for counts in kept[1:]:
            for key in [k for k, row in counts.items() if not any(row[m] for m in MEASURES)]:
                del counts[key]
    return kept


def _row_by_row(today) -> None:
    """The rebuild as the upkeep's own path does it: everything away, then refresh_people."""
    for model in (OrgCounts, OrgTotals, RegionCounts, ComplianceFact):
        db.session.execute(delete(model))
    refresh_people(db.session.scalars(select(Employment.person_id).distinct()).all(), today)
    db.session.commit()


def _province(code: str) -> dict:
    region = region_by_code(code)
    totals: dict = {}
    for row in db.session.scalars(select(RegionCounts).where(RegionCounts.region_id == region.id)):
        for name in ("on_job", "key_on_job", "certified", "review_overdue", "expiring_30", "hr_on_job",
                     "hr_passed"):
            totals[name] = totals.get(name, 0) + getattr(row, name)
    return totals


@pytest.mark.parametrize("group_size", [bulk.BULK_GROUP, 2])
def test_bulk_rebuild_writes_the_rows_refresh_people_writes(world, on_day, group_size):
    _row_by_row(on_day)
    expected = _kept()
    assert len(expected[0]) == 12  # one fact per employment, ended ones included

    written = bulk.rebuild(on_day, group_size=group_size)
    db.session.commit()

    assert written == 12
    assert _kept() == expected
    assert verify(on_day).ok


def test_bulk_rebuild_equals_the_kept_figures(world, on_day):
    kept = _kept(drop_zero_counts=True)
    # 周九's and 徐十's employments ended after their count rows were made: those rows stay at zero.
    assert len(_kept()[1]) == len(kept[1]) + 2

    rebuild_all(on_day)
    db.session.commit()

    assert _kept() == kept
    assert verify(on_day).ok


def test_bulk_rebuild_counts_by_hand(world, on_day):
    rebuild_all(on_day)
    db.session.commit()

    # Wuxi: seven on the job, all special operations; certified are the holder, 刘一 (expires on
    # 2026-03-20, inside 30 days), 杨五 (reinstated) and 黄六's second post; 陈二's review is overdue.
    # Suzhou: 黄六 (certified manager), 赵七 (principal without one) and 吴八 (other post).
    assert _province("320000") == {"on_job": 10, "key_on_job": 9, "certified": 4 + 1, "review_overdue": 1,
                                   "expiring_30": 1, "hr_on_job": 7, "hr_passed": 1}
    # Lu'an's only employment ended: no counts at all, as the upkeep leaves none.
    assert _province("340000") == {}
    assert not db.session.scalars(select(OrgCounts).where(
        OrgCounts.organization_id == world["luan"].id)).all()
    gaps = dict(db.session.execute(select(ComplianceFact.employment_id, ComplianceFact.gap).where(
        ComplianceFact.organization_id == world["wuxi"].id)).all())
    assert sorted(g for g in gaps.values() if g) == ["review_overdue", "revoked", "wrong_subtype"]


def test_rebuild_after_changes_matches_verification(world, on_day):
    rebuild_all(on_day)
    db.session.commit()
    principal = db.session.scalar(select(Employment).where(Employment.organization_id == world["suzhou"].id,
                                                           Employment.post == Post.PRINCIPAL))
    principal.is_on_the_job = False  # 赵七 goes on leave
    db.session.commit()  # the upkeep moves the counts

    after_upkeep = _kept(drop_zero_counts=True)
    rebuild_all(on_day)
    db.session.commit()

    assert _kept() == after_upkeep
    assert _province("320000")["key_on_job"] == 8
    assert verify(on_day).ok
