"""The kept compliance figures follow every kind of change made the way the product makes it (the
certificate, renewal, import, roster and assessment services, plain edits of employments and
enterprises, deletions and the calendar), and ``lms compliance verify`` run after each change finds
them equal to a full recomputation from the base tables; a count row altered behind the product's
back is reported and the command fails."""

import io
import os
from datetime import UTC, date, datetime, time, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import select, update

from certificates import imports, lifecycle, renewal
from certificates.compliance.models import ComplianceFact, OrgCounts, RegionCounts
from certificates.compliance.rates import Filters, enterprise_figures, overview
from certificates.issuance import issue
from certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateSource,
    CertificateStatus,
    CertificateType,
)
from courses.models import ExternalTraining
from exams.assessments.models import Assessment, AssessmentAssignment, AssessmentPurpose
from exams.models import BankPurpose, BankTier, Blueprint, QuestionBank
from lms.clock import FixedClock, install_clock
from lms.extensions import db
from lms.models import Employment, Post
from lms.regions import region_by_code
from lms.roles import Role
from lms.roster.services import confirm_roster, stage_roster

from support import at_once, roster_workbook, valid_id_number

TODAY = date(2026, 7, 15)
AGREE = "The kept figures equal a full recomputation."


def noon(day: date) -> datetime:
    return datetime.combine(day, time(4), tzinfo=UTC)


NOW = noon(TODAY)


@pytest.fixture
def clock(app):
    from lms.clock import _EXTENSION

    before = app.extensions.get(_EXTENSION)
    stopped = FixedClock(NOW)
    install_clock(app, stopped)
    yield stopped
    if before is None:
        app.extensions.pop(_EXTENSION, None)
    else:
        install_clock(app, before)


@pytest.fixture
def world(make, clock):
    """A high-risk Liangxi enterprise with a welder, an electrician and a safety manager; a Binhu
    enterprise with a welder; a Wuxi certificate officer and the enterprise's admin."""
    make.rules()
    ent = make.org("无锡甲化工", "320213", industry="hazardous_chemicals", high_risk=True)
    other = make.org("无锡乙机械", "320211", industry="machinery")
    w = {
        "ent": ent, "other": other,
        "welder": make.person("王焊工", ent, Post.SPECIAL_OPERATIONS, subtype="2.1"),
        "electrician": make.person("赵电工", ent, Post.SPECIAL_OPERATIONS, subtype="1.2"),
        "manager": make.person("李安全", ent, Post.SAFETY_MANAGER),
        "far_welder": make.person("钱焊工", other, Post.SPECIAL_OPERATIONS, subtype="2.1"),
        "officer": make.account("officer", Role.CERTIFICATE_OFFICER, region_code="320200"),
        "admin": make.account("ent_admin", Role.ENTERPRISE_ADMIN, org=ent),
    }
    return w


def verify_ok(app, moved: int | None = None) -> str:
    """Run ``lms compliance verify``: exit 0, the summary line and the agreement line."""
    result = app.test_cli_runner().invoke(args=["compliance", "verify"])
    assert result.exit_code == 0, result.output
    assert AGREE in result.output
    assert "DIFF" not in result.output
    if moved is not None:
        assert f"moved by the calendar first: {moved};" in result.output
    return result.output


def job(person) -> Employment:
    return db.session.scalar(select(Employment).where(Employment.person_id == person.id))


def fact(person) -> ComplianceFact:
    db.session.expire_all()
    return db.session.get(ComplianceFact, job(person).id)


def cert(person, *, issued=date(2024, 1, 10), expires=date(2030, 1, 9), review=date(2027, 1, 10),
         status=CertificateStatus.ISSUED) -> Certificate:
    """A certificate row as issuance leaves it (special operations unless the post says otherwise)."""
    employment = job(person)
    special = employment.post is Post.SPECIAL_OPERATIONS
    kind = CertificateType.SPECIAL_OPS if special else CertificateType.SAFETY_QUALIFICATION
    row = Certificate(cert_type=kind,
                      status=status, number=f"T{person.id_number}", person_id=person.id,
                      employment_id=employment.id, post=employment.post.value,
                      operation_category=employment.operation_category,
                      operation_subtype=employment.operation_subtype, pass_key=f"upkeep:{person.id}:{issued}",
                      issued_on=issued if status is not CertificateStatus.PENDING else None,
                      expires_on=expires if status is not CertificateStatus.PENDING else None,
                      next_review_on=review if special and status is not CertificateStatus.PENDING else None,
                      issuing_authority="无锡市应急管理局", rule_versions={})
    db.session.add(row)
    db.session.commit()
    return row


# -- certificates ---------------------------------------------------------------------------------

def test_issuing_a_pending_certificate(app, world):
    pending = cert(world["welder"], status=CertificateStatus.PENDING)
    assert fact(world["welder"]).gap == "none"
    verify_ok(app)
    issue(pending, world["officer"], TODAY, NOW)
    db.session.commit()
    assert fact(world["welder"]).certified == 1
    # Issued after the revision: six years, no review.
    assert fact(world["welder"]).cover_until == date(2032, 7, 14)
    verify_ok(app)


def test_suspend_reinstate_revoke_and_cancel(app, world):
    welder, electrician = cert(world["welder"]), cert(world["electrician"], review=date(2027, 1, 10))
    officer = world["officer"]
    lifecycle.suspend(welder, officer, TODAY, NOW, "调查中")
    db.session.commit()
    assert fact(world["welder"]).gap == "suspended"
    verify_ok(app)
    lifecycle.reinstate(welder, officer, TODAY, NOW, "调查结束")
    db.session.commit()
    assert fact(world["welder"]).certified == 1
    verify_ok(app)
    ground = next(iter(lifecycle.GROUNDS))
    lifecycle.revoke(welder, officer, TODAY, NOW, ground, "违规")
    db.session.commit()
    assert fact(world["welder"]).gap == "revoked"
    verify_ok(app)
    lifecycle.cancel(electrician, officer, TODAY, NOW, "本人申请")
    db.session.commit()
    assert fact(world["electrician"]).gap == "cancelled"
    assert enterprise_figures(world["ent"], Filters(), TODAY, TODAY).certified == 0
    verify_ok(app)


def test_review_extend_replace_and_reissue(app, world):
    officer = world["officer"]
    # A review due on 2026-05-20 (before the revision), recorded on 2026-05-01 after 8 hours' training.
    welder = cert(world["welder"], issued=date(2023, 5, 20), expires=date(2029, 5, 19),
                  review=date(2026, 5, 20))
    assert fact(world["welder"]).gap == "review_overdue"
    db.session.add(ExternalTraining(person_id=world["welder"].id, organization_id=world["ent"].id,
                                    provider="无锡安培中心", title="复审培训", started_on=date(2026, 4, 15),
                                    ended_on=date(2026, 4, 15), class_hours=8, proof_sha256="0" * 64,
                                    proof_mime="application/pdf"))
    db.session.commit()
    assert renewal.record_review(welder, officer, date(2026, 5, 1), NOW, exam_score=90) is None
    db.session.commit()
    assert fact(world["welder"]).certified == 1 and fact(world["welder"]).cover_until == date(2029, 5, 19)
    verify_ok(app)

    # 87 days left: inside the 90-day window; extended for three years from the day after expiry.
    manager = cert(world["manager"], issued=date(2023, 10, 11), expires=date(2026, 10, 10))
    assert fact(world["manager"]).expiring_90 == 1
    renewal.extend(manager, officer, TODAY, NOW)
    db.session.commit()
    assert fact(world["manager"]).cover_until == date(2029, 10, 10)
    assert fact(world["manager"]).expiring_90 == 0
    verify_ok(app)

    electrician = cert(world["electrician"], issued=date(2020, 9, 1), expires=date(2026, 8, 31), review=None)
    assert fact(world["electrician"]).expiring_60 == 1
    successor = renewal.replace(electrician, officer, TODAY, NOW)
    db.session.commit()
    # The old certificate covers to its expiry and the successor from the next day: no gap, not expiring.
    assert successor.issued_on == date(2026, 9, 1)
    assert fact(world["electrician"]).certified == 1 and fact(world["electrician"]).expiring_90 == 0
    verify_ok(app)

    renewal.reissue(successor, officer, TODAY, NOW, reason="遗失")
    db.session.commit()
    verify_ok(app)


def test_confirming_a_certificate_import(app, world):
    book = Workbook()
    sheet = book.active
    sheet.append([h for _f, h, _w in imports.COLUMNS])
    values = {"number": "T" + world["welder"].id_number, "id_number": world["welder"].id_number,
              "name": world["welder"].name, "cert_type": "特种作业操作证", "category": "2", "subtype": "2.1",
              "issued_on": "2021-03-01", "expires_on": "2027-02-28", "next_review_on": "2027-01-01",
              "authority": "无锡市应急管理局"}
    sheet.append([values[name] for name, _h, _w in imports.COLUMNS])
    data = io.BytesIO()
    book.save(data)
    staged = imports.stage_import(imports.Scope(organization=world["ent"]), world["admin"], "certs.xlsx",
                                  data.getvalue(), today=TODAY, now=NOW)
    assert len(staged.valid_rows) == 1, staged.errors
    db.session.commit()
    (made,) = imports.confirm_import(staged, world["admin"], today=TODAY, now=NOW)
    db.session.commit()
    assert made.source is CertificateSource.IMPORT
    assert fact(world["welder"]).certificate_id == made.id
    verify_ok(app)


def test_a_roster_import_adds_employments(app, world):
    rows = [["孙新人", valid_id_number(seq=501), "特种作业人员", "2.1", "设备部", "2026-07-01"],
            ["周经理", valid_id_number(seq=502), "主要负责人", None, None, "2026-07-10"],
            [world["manager"].name, world["manager"].id_number, "特种作业人员", "1.2", None, "2026-07-01"]]
    staged = stage_roster(world["ent"], world["admin"], "roster.xlsx", roster_workbook(rows), today=TODAY)
    assert len(staged.valid_rows) == 3, staged.errors
    added = confirm_roster(staged, world["admin"], now=NOW)
    db.session.commit()
    assert len(added) == 3
    figures = enterprise_figures(world["ent"], Filters(), TODAY, TODAY)
    # welder, electrician, manager + the three new employments (the manager now holds two posts).
    assert (figures.on_job, figures.key_on_job, figures.certified, figures.hr_on_job) == (6, 6, 0, 6)
    verify_ok(app)


# -- employments and enterprises ---------------------------------------------------------------------

def test_an_employment_ended_and_one_put_on_leave(app, world):
    cert(world["welder"])
    ended = job(world["welder"])
    ended.end_date = TODAY - timedelta(days=1)
    db.session.commit()
    assert fact(world["welder"]).on_job == 0
    verify_ok(app)
    job(world["electrician"]).is_on_the_job = False
    db.session.commit()
    assert enterprise_figures(world["ent"], Filters(), TODAY, TODAY).on_job == 1
    verify_ok(app)
    # An UPDATE statement (no object loaded) is noticed as well.
    db.session.execute(update(Employment).where(Employment.person_id == world["manager"].id)
                       .values(end_date=TODAY - timedelta(days=3)))
    db.session.commit()
    assert enterprise_figures(world["ent"], Filters(), TODAY, TODAY).on_job == 0
    verify_ok(app)


def test_an_employment_ending_today_counts_until_tomorrow(app, world, clock):
    job(world["welder"]).end_date = TODAY
    db.session.commit()
    assert fact(world["welder"]).on_job == 1
    clock.set(noon(TODAY + timedelta(days=1)))
    verify_ok(app, moved=1)
    assert fact(world["welder"]).on_job == 0


def test_an_enterprise_made_high_risk_and_moved_to_another_district(app, world):
    other = world["other"]
    cert(world["far_welder"])
    binhu, xishan = region_by_code("320211"), region_by_code("320205")
    other.is_high_risk = True
    db.session.commit()
    assert fact(world["far_welder"]).hr_on_job == 1
    assert overview(region_by_code("320200"), Filters(high_risk=True), TODAY, TODAY).total.hr_on_job == 4
    verify_ok(app)
    other.region = xishan
    db.session.commit()
    assert overview(binhu, Filters(), TODAY, TODAY).total.on_job == 0
    moved = overview(xishan, Filters(), TODAY, TODAY).total
    assert (moved.on_job, moved.certified) == (1, 1)
    assert overview(region_by_code("320200"), Filters(), TODAY, TODAY).total.on_job == 4
    verify_ok(app)
    other.industry = "construction"
    db.session.commit()
    building = overview(region_by_code("320000"), Filters(industry="construction"), TODAY, TODAY)
    assert building.total.on_job == 1
    verify_ok(app)


def test_an_assessment_completed(app, world):
    ent = world["ent"]
    bank = QuestionBank(code="UPKEEP", name="练习题库", purpose=BankPurpose.PRACTICE,
                        tier=BankTier.PROVINCIAL, organization_id=ent.id)
    blueprint = Blueprint(code="UPKEEP-BP", name="考核", exam_kind="custom", organization_id=ent.id,
                          duration_minutes=30, pass_mark=80, points={})
    db.session.add_all([bank, blueprint])
    db.session.flush()
    assessment = Assessment(enterprise_id=ent.id, title="年度再培训考核",
                            purpose=AssessmentPurpose.ANNUAL_RETRAINING,
                            bank_id=bank.id, blueprint_id=blueprint.id, opens_at=NOW - timedelta(hours=1),
                            closes_at=NOW + timedelta(hours=5), time_limit_minutes=30, pass_percent=80)
    db.session.add(assessment)
    db.session.flush()
    assignment = AssessmentAssignment(assessment_id=assessment.id, person_id=world["welder"].id,
                                      employment_id=job(world["welder"]).id)
    db.session.add(assignment)
    db.session.commit()
    verify_ok(app)
    # What exams.assessments.services.write_result records when the attempt is graded.
    assignment.score, assignment.passed, assignment.completed_at = 92.0, True, NOW
    db.session.commit()
    assert fact(world["welder"]).hr_passed == 1
    assert fact(world["welder"]).assessment_until == date(2027, 7, 14)
    assert enterprise_figures(ent, Filters(), TODAY, TODAY).pass_rate == 1 / 3
    verify_ok(app)


# -- deletions and the calendar -----------------------------------------------------------------------

def test_a_certificate_and_an_employment_deleted(app, world):
    row = cert(world["welder"])
    assert enterprise_figures(world["ent"], Filters(), TODAY, TODAY).certified == 1
    db.session.delete(row)
    db.session.commit()
    assert enterprise_figures(world["ent"], Filters(), TODAY, TODAY).certified == 0
    verify_ok(app)
    gone = job(world["electrician"])
    gone_id = gone.id
    db.session.delete(gone)
    db.session.commit()
    assert db.session.get(ComplianceFact, gone_id) is None
    assert enterprise_figures(world["ent"], Filters(), TODAY, TODAY).on_job == 2
    verify_ok(app)


def test_the_calendar_moving_past_an_expiry(app, world, clock):
    cert(world["welder"], issued=date(2020, 7, 16), expires=TODAY, review=None)
    assert fact(world["welder"]).certified == 1
    verify_ok(app, moved=0)
    clock.set(noon(TODAY + timedelta(days=1)))
    verify_ok(app, moved=1)
    assert fact(world["welder"]).gap == "expired"
    assert enterprise_figures(world["ent"], Filters(), TODAY + timedelta(days=1),
                              TODAY + timedelta(days=1)).certified == 0


# -- a difference is found --------------------------------------------------------------------------

def test_a_count_row_altered_behind_the_products_back_fails_verify(app, world):
    cert(world["welder"])
    ent = world["ent"]
    db.session.execute(update(OrgCounts).where(OrgCounts.organization_id == ent.id,
                                               OrgCounts.post == "special_operations",
                                               OrgCounts.category == "2")
                       .values(certified=OrgCounts.certified + 1))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["compliance", "verify"])
    assert result.exit_code == 1
    diff = [line for line in result.output.splitlines() if line.startswith("DIFF ")]
    assert diff == [f"DIFF enterprise counts ({ent.id}, 'special_operations', '2'): certified kept 2, "
                    "recomputed 1"]
    assert AGREE not in result.output


def test_a_region_row_and_a_fact_altered_are_named(app, world):
    cert(world["welder"])
    liangxi = region_by_code("320213")
    db.session.execute(update(RegionCounts).where(RegionCounts.region_id == liangxi.id,
                                                  RegionCounts.post == "safety_manager")
                       .values(on_job=RegionCounts.on_job + 5))
    db.session.execute(update(ComplianceFact).where(ComplianceFact.employment_id == job(world["welder"]).id)
                       .values(gap="expired"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["compliance", "verify"])
    assert result.exit_code == 1
    diff = sorted(line for line in result.output.splitlines() if line.startswith("DIFF "))
    assert diff == sorted([
        f"DIFF fact {job(world['welder']).id}: gap kept 'expired', recomputed None",
        f"DIFF region counts ({liangxi.id}, 'hazardous_chemicals', True, 'safety_manager', ''): "
        "on_job kept 6, recomputed 1",
    ])
    # Rebuilding throws the kept figures away and works them out again.
    assert app.test_cli_runner().invoke(args=["compliance", "rebuild"]).exit_code == 0
    verify_ok(app)


# -- two transactions at once -----------------------------------------------------------------------

@pytest.mark.skipif(not os.environ.get("LMS_TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="row locks between two writers: PostgreSQL only")
def test_two_transactions_moving_the_same_count_rows(app, world):
    """Two requests change two people of the same enterprise at once: both deltas land."""
    cert(world["welder"])
    cert(world["electrician"])
    ids = [job(world["welder"]).id, job(world["electrician"]).id]
    db.session.commit()

    def leave(employment_id):
        def run():
            with app.app_context():
                install_clock(app, FixedClock(NOW))
                db.session.get(Employment, employment_id).is_on_the_job = False
                db.session.commit()
                db.session.remove()
        return run

    at_once(leave(ids[0]), leave(ids[1]))
    db.session.expire_all()
    assert enterprise_figures(world["ent"], Filters(), TODAY, TODAY).on_job == 1
    verify_ok(app)


def test_events_without_the_services_are_noticed_too(app, world):
    """A lifecycle event written directly (a data fix by an administrator) moves the figures."""
    row = cert(world["welder"])
    db.session.add(CertificateEvent(certificate_id=row.id, kind="suspended", on=TODAY, reason="数据修正"))
    row.status = CertificateStatus.SUSPENDED
    db.session.commit()
    assert fact(world["welder"]).gap == "suspended"
    verify_ok(app)
