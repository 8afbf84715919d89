"""``lms compliance ...``: verify the kept figures, rebuild them, take snapshots, write reports."""

import sys
from datetime import date

import click
from flask.cli import with_appcontext

from lms.clock import today
from lms.extensions import db


@click.group("compliance")
def compliance_group() -> None:
    """Compliance figures: certified-on-the-job rate, pass rate, training coverage."""


@compliance_group.command("verify")
@with_appcontext
def verify_command() -> None:
    """Recompute every figure from the base tables and report any difference from the kept ones.

    Exit status 0 when they agree, 1 when anything differs (each difference is printed).
    """
    from certificates.compliance.verify import verify

    day = today()
    with click.progressbar(length=_people_count(), label="Recomputing", file=sys.stderr) as bar:
        report = verify(day, progress=bar.update)
    db.session.commit()  # the calendar catch-up verification applied first, as every read does
    click.echo(f"Employments checked: {report.employments}; moved by the calendar first: "
               f"{report.calendar_moved}; training waiting for today's check: {report.training_pending}")
    for line in report.differences:
        click.echo(f"DIFF {line}")
    if not report.ok:
        click.echo(f"{len(report.differences)} differences", err=True)
        raise SystemExit(1)
    click.echo("The kept figures equal a full recomputation.")


def _people_count() -> int:
    from sqlalchemy import func, select

    from lms.models import Employment

    return db.session.scalar(select(func.count(func.distinct(Employment.person_id)))) or 0


@compliance_group.command("rebuild")
@with_appcontext
def rebuild_command() -> None:
    """Throw the kept figures away and work them all out again (after a restore, say)."""
    from certificates.compliance.summaries import rebuild_all

    written = rebuild_all(today())
    db.session.commit()
    click.echo(f"Facts written: {written}")


@compliance_group.command("snapshot")
@click.option("--backfill", type=click.IntRange(0, 120), default=0,
              help="Also work out the first day of each of this many past months from the base tables.")
@with_appcontext
def snapshot_command(backfill: int) -> None:
    """Take this month's snapshot if it is missing, and optionally past months'."""
    from certificates.compliance.snapshots import snapshot_as_of, take_snapshot
    from courses.requirements import add_months

    day = today()
    rows = take_snapshot(day)
    for months in range(1, backfill + 1):
        rows += snapshot_as_of(add_months(day.replace(day=1), -months))
    db.session.commit()
    click.echo(f"Snapshot rows written: {rows}")


def month_starts(until: date, months: int) -> list[date]:
    """The first days of the ``months`` months before ``until``'s month, oldest first."""
    from courses.requirements import add_months

    return [add_months(until.replace(day=1), -n) for n in range(months, 0, -1)]


@compliance_group.command("report")
@click.option("--region", "region_code", help="Region code (GB/T 2260), e.g. 320200.")
@click.option("--org", "org_id", type=int, help="Enterprise number instead of a region.")
@click.option("--format", "fmt", default="csv", show_default=True, help="csv, xlsx or pdf.")
@click.option("--as-of", "as_of", help="The day the figures are for (YYYY-MM-DD); default today.")
@click.option("--industry", help="Only this industry code.")
@click.option("--post", help="Only this post (principal, safety_manager, special_operations, other).")
@click.option("--category", help="Only this special-operations category code.")
@click.option("--high-risk", "high_risk", type=click.Choice(["yes", "no"]),
              help="Only high-risk or other enterprises.")
@click.option("--lang", type=click.Choice(["zh_CN", "en"]), default="zh_CN", show_default=True,
              help="Language of the headers and words.")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def report_command(region_code, org_id, fmt, as_of, industry, post, category, high_risk, lang, out) -> None:
    """Write a region's or enterprise's compliance report to OUT as CSV, Excel or PDF (for scheduled use).

    Exit status 1 with a message for an unknown region or enterprise, a bad format or a bad date.
    """
    from flask_babel import force_locale
    from werkzeug.datastructures import MultiDict

    from certificates.compliance.export_routes import BadRequest, day_from_args, filters_from_args

    with force_locale(lang):
        try:
            if fmt not in ("csv", "xlsx", "pdf"):
                raise BadRequest(f"Unknown format {fmt!r}: choose csv, xlsx or pdf.")
            args = MultiDict({k: v for k, v in (("as_of", as_of), ("industry", industry), ("post", post),
                                                ("category", category), ("high_risk", high_risk)) if v})
            filters = filters_from_args(args)
            day = today()
            on = day_from_args(args, day)
            scope = _report_scope(region_code, org_id)
        except BadRequest as problem:
            click.echo(f"Error: {problem}", err=True)
            raise SystemExit(1) from None
        rows = _write_report(scope, filters, on, day, fmt, out)
    click.echo(f"Wrote {out} ({fmt}, {rows} people rows, as of {on.isoformat()})")


def _report_scope(region_code: str | None, org_id: int | None):
    from certificates.compliance.export_routes import BadRequest
    from lms.models import Organization, OrgKind
    from lms.regions import region_by_code

    if (region_code is None) == (org_id is None):
        raise BadRequest("Give either --region CODE or --org ID.")
    if org_id is not None:
        org = db.session.get(Organization, org_id)
        if org is None or org.kind != OrgKind.ENTERPRISE:
            raise BadRequest(f"No enterprise numbered {org_id}.")
        return org
    region = region_by_code(region_code)
    if region is None:
        raise BadRequest(f"No region with the code {region_code!r}.")
    return region


def _write_report(scope, filters, on: date, day: date, fmt: str, out: str) -> int:
    """Write the file; a progress bar on stderr counts the people rows (the PDF has none)."""
    import sys

    from certificates.compliance import exports
    from certificates.compliance.rates import enterprise_figures, overview
    from certificates.compliance.report_pdf import build_report
    from lms.models import Region

    if fmt == "pdf":
        with open(out, "wb") as handle:
            handle.write(build_report(scope, filters, on, day))
        return 0
    total = exports.count_rows(scope, filters, on, day)
    if isinstance(scope, Region):
        summary = exports.summary_rows(overview(scope, filters, on, day))
    else:
        summary = exports.enterprise_summary_rows(scope, enterprise_figures(scope, filters, on, day))
    about = exports.About(scope, filters, on)
    written = 0
    with click.progressbar(length=total, label="People rows", file=sys.stderr) as bar:
        def counted():
            nonlocal written
            for row in exports.person_rows(scope, filters, on, day):
                written += 1
                bar.update(1)
                yield row

        if fmt == "csv":
            with open(out, "wb") as handle:
                exports.write_csv(counted(), handle, about=about, summary=summary)
        else:
            exports.write_xlsx(counted(), out, about=about, summary=summary)
    db.session.commit()
    return written
