"""Kept compliance figures: one fact row per employment and the counts summed from them per
enterprise and per region, so a regulator's page reads a few hundred rows instead of a million."""

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db

#: The counted measures, in the order pages and exports show them. Each fact row holds 0 or 1 for
#: each (its contribution), each count row the sum of its facts' contributions.
MEASURES = (
    "on_job",            # employments on the job (every post)
    "key_on_job",        # ... of them in the three key posts
    "certified",         # ... of those holding a valid certificate of the required type
    "review_overdue",    # ... of those whose matching certificate's review is overdue
    "expiring_30",       # certified, the certificate's cover ends within the windows (days)
    "expiring_60",
    "expiring_90",
    "hr_on_job",         # on the job at a high-risk enterprise
    "hr_passed",         # ... of them with a passing training assessment in force
    "training_known",    # on the job with training requirements worked out
    "training_behind",   # ... of them behind an hour rule whose deadline has passed
)


class Measures:
    """The counted measures as integer columns (0 or 1 on a fact row, sums on a count row)."""

    on_job: Mapped[int] = mapped_column(Integer, default=0)
    key_on_job: Mapped[int] = mapped_column(Integer, default=0)
    certified: Mapped[int] = mapped_column(Integer, default=0)
    review_overdue: Mapped[int] = mapped_column(Integer, default=0)
    expiring_30: Mapped[int] = mapped_column(Integer, default=0)
    expiring_60: Mapped[int] = mapped_column(Integer, default=0)
    expiring_90: Mapped[int] = mapped_column(Integer, default=0)
    hr_on_job: Mapped[int] = mapped_column(Integer, default=0)
    hr_passed: Mapped[int] = mapped_column(Integer, default=0)
    training_known: Mapped[int] = mapped_column(Integer, default=0)
    training_behind: Mapped[int] = mapped_column(Integer, default=0)


class ComplianceFact(Measures, db.Model):
    """Where one employment stands today, recomputed whenever its person's records change and on
    the day any of its figures would change by the calendar alone (``next_change_on``)."""

    __tablename__ = "compliance_facts"

    #: No foreign key: when an employment is deleted its fact must still be there to be
    #: subtracted from the counts.
    employment_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    organization_id: Mapped[int] = mapped_column(Integer, index=True)
    post: Mapped[str] = mapped_column(String(24))
    #: Operation category for special operations, "" otherwise (a key of the count rows).
    category: Mapped[str] = mapped_column(String(8), default="")
    #: The certificate that covers the employment today, and the last day it does.
    certificate_id: Mapped[int | None] = mapped_column(Integer)
    cover_until: Mapped[date | None] = mapped_column(Date)
    #: Why not covered: "none", "expired", "review_overdue", "revoked", "suspended", "wrong_subtype" ...
    gap: Mapped[str | None] = mapped_column(String(24))
    #: The latest training assessment in force: passed or not, and the last day it counts.
    assessment_until: Mapped[date | None] = mapped_column(Date)
    #: Training requirements: None until worked out (a background job does it daily).
    behind_hours: Mapped[bool | None] = mapped_column(Boolean)
    training_checked_on: Mapped[date | None] = mapped_column(Date, index=True)
    computed_on: Mapped[date] = mapped_column(Date)
    #: First day on which the calendar alone changes one of this row's figures.
    next_change_on: Mapped[date | None] = mapped_column(Date, index=True)


class OrgCounts(Measures, db.Model):
    """Sums of the facts of one enterprise, per post and operation category."""

    __tablename__ = "compliance_org_counts"
    __table_args__ = (UniqueConstraint("organization_id", "post", "category",
                                       name="uq_compliance_org_counts_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(Integer)
    post: Mapped[str] = mapped_column(String(24))
    category: Mapped[str] = mapped_column(String(8))


class RegionCounts(Measures, db.Model):
    """Sums over every enterprise at or below a region, per industry, high-risk flag, post and
    operation category: the filters of the regulator's pages are WHERE clauses on these rows."""

    __tablename__ = "compliance_region_counts"
    __table_args__ = (UniqueConstraint("region_id", "industry", "high_risk", "post", "category",
                                       name="uq_compliance_region_counts_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    industry: Mapped[str] = mapped_column(String(32))
    high_risk: Mapped[bool] = mapped_column(Boolean)
    post: Mapped[str] = mapped_column(String(24))
    category: Mapped[str] = mapped_column(String(8))


class ComplianceSnapshot(Measures, db.Model):
    """A region's figures on the first day of a month, kept for the trend charts."""

    __tablename__ = "compliance_snapshots"
    __table_args__ = (UniqueConstraint("region_id", "taken_on", "industry", "high_risk", "post",
                                       "category", name="uq_compliance_snapshots_key"),
                      Index("ix_compliance_snapshots_region_day", "region_id", "taken_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    taken_on: Mapped[date] = mapped_column(Date)
    industry: Mapped[str] = mapped_column(String(32))
    high_risk: Mapped[bool] = mapped_column(Boolean)
    post: Mapped[str] = mapped_column(String(24))
    category: Mapped[str] = mapped_column(String(8))



class OrgTotals(Measures, db.Model):
    """Sums of all of one enterprise's facts, with its region path and its distance from 100%:
    a region's enterprises are listed, paged and ranked by reading one indexed row each."""

    __tablename__ = "compliance_org_totals"
    __table_args__ = (Index("ix_compliance_org_totals_rank", "rate_key", "shortfall"),)

    organization_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: The enterprise's region path ("/320000/320200/320213/"): "at or below a region" is a prefix.
    region_path: Mapped[str] = mapped_column(String(64), index=True)
    #: Certified-on-the-job rate in hundredths of a percent (None without key-post staff).
    rate_key: Mapped[int | None] = mapped_column(Integer)
    #: Key-post employments on the job without a valid certificate.
    shortfall: Mapped[int] = mapped_column(Integer, default=0)
