"""``GET /compliance/export``: a region's or an enterprise's figures and people as CSV (streamed),
Excel (written to a temporary file in constant memory) or the PDF audit report; every export is
recorded in the audit log."""

import os
import tempfile
from datetime import date
from urllib.parse import quote

from flask import Response, render_template, request, stream_with_context
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from certificates.compliance import exports
from certificates.compliance.blueprint import (
    bp,
    enterprise_or_404,
    home_enterprises,
    home_regions,
    parse_day,
    region_or_404,
)
from certificates.compliance.rates import Filters, enterprise_figures, overview
from certificates.permissions import COMPLIANCE_VIEW
from lms.audit import record_event
from lms.authz import requires
from lms.clock import today
from lms.extensions import db
from lms.i18n import _, _l
from lms.models import Organization, Post, Region
from lms.spreadsheets import CSV_MIME, XLSX_MIME

FORMATS = {"csv": CSV_MIME, "xlsx": XLSX_MIME, "pdf": "application/pdf"}
AUDIT_SENTENCES = {
    "compliance.exported": _l("%(actor)s exported the compliance figures of %(scope)s as of %(as_of)s "
                              "(%(format)s, %(rows)s rows)"),
}


class BadRequest(ValueError):
    """A query the export cannot answer; ``args[0]`` is a translated message that says why."""


def init_app(app) -> None:
    """Register the audit sentence of exports (the view is on the compliance blueprint)."""
    from lms.audit_sentences import register_group, register_sentences

    register_group("compliance", _l("Compliance"))
    register_sentences("compliance", AUDIT_SENTENCES)


def filters_from_args(args: MultiDict) -> Filters:
    """The filters of a query string; BadRequest for an unknown post or a high_risk not yes/no."""
    post = args.get("post") or None
    if post is not None and post not in {p.value for p in Post}:
        raise BadRequest(_("Unknown post %(post)s.", post=post[:40]))
    high_risk = args.get("high_risk") or None
    if high_risk not in (None, "yes", "no"):
        raise BadRequest(_("high_risk must be yes or no."))
    return Filters(industry=args.get("industry") or None, post=post, category=args.get("category") or None,
                   high_risk=None if high_risk is None else high_risk == "yes")


def day_from_args(args: MultiDict, now_day: date) -> date:
    """The as_of day of a query string (today when absent); BadRequest when it is not an ISO date."""
    try:
        return parse_day(args.get("as_of"), now_day)
    except ValueError:
        raise BadRequest(_("as_of must be a date written as YYYY-MM-DD.")) from None


def _scope() -> Region | Organization:
    """The region (region=CODE) or enterprise (org=ID) asked for, else the account's first one; 404
    outside the account's scope."""
    if request.args.get("org"):
        try:
            return enterprise_or_404(int(request.args["org"]))
        except ValueError:
            raise BadRequest(_("org must be an enterprise number.")) from None
    if request.args.get("region"):
        return region_or_404(request.args["region"])
    regions = home_regions(current_user)
    if regions:
        return regions[0]
    enterprises = home_enterprises(current_user)
    if enterprises:
        return enterprises[0]
    raise BadRequest(_("Choose a region or an enterprise to export."))


@bp.get("/export")
@requires(COMPLIANCE_VIEW)
def export():
    """The figures and people of a region or enterprise as CSV, Excel or PDF."""
    try:
        fmt = request.args.get("format", "csv")
        if fmt not in FORMATS:
            raise BadRequest(_("Unknown format %(format)s: choose csv, xlsx or pdf.", format=fmt[:20]))
        filters = filters_from_args(request.args)
        now_day = today()
        on = day_from_args(request.args, now_day)
        scope = _scope()
    except BadRequest as problem:
        return render_template("errors/error.html", status=400, title=_("Cannot export"),
                               message=str(problem)), 400
    rows = exports.count_rows(scope, filters, on, now_day)
    _record(scope, fmt, on, rows)
    if fmt == "pdf":
        from certificates.compliance.report_pdf import build_report

        body = build_report(scope, filters, on, now_day)
        return _attachment(Response(body, mimetype=FORMATS[fmt]), scope, on, fmt)
    about = exports.About(scope, filters, on)
    summary = _summary(scope, filters, on, now_day)
    people = exports.person_rows(scope, filters, on, now_day)
    if fmt == "csv":
        chunks = exports.csv_chunks(people, about=about, summary=summary)
        response = Response(stream_with_context(_encoded(chunks)), mimetype=FORMATS[fmt])
        return _attachment(response, scope, on, fmt)
    return _attachment(_xlsx_response(people, about, summary), scope, on, fmt)


def _record(scope: Region | Organization, fmt: str, on: date, rows: int) -> None:
    record_event("compliance.exported", actor=current_user, target=scope,
                 organization_id=scope.id if isinstance(scope, Organization) else None,
                 scope=scope.code, format=fmt, as_of=on.isoformat(), rows=rows)
    db.session.commit()


def _summary(scope, filters: Filters, on: date, now_day: date) -> list[dict]:
    if isinstance(scope, Region):
        return exports.summary_rows(overview(scope, filters, on, now_day))
    return exports.enterprise_summary_rows(scope, enterprise_figures(scope, filters, on, now_day))


def _encoded(chunks):
    for chunk in chunks:
        yield chunk.encode("utf-8")


def _xlsx_response(people, about, summary) -> Response:
    """The workbook written to a temporary file, sent from it and removed once sent."""
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="compliance-")
    os.close(handle)
    try:
        exports.write_xlsx(people, path, about=about, summary=summary)
    except BaseException:
        os.unlink(path)
        raise
    response = Response(_file_chunks(path), mimetype=XLSX_MIME, direct_passthrough=True)
    response.headers["Content-Length"] = str(os.path.getsize(path))
    response.call_on_close(lambda: _remove(path))  # also when the client left before the end
    return response


def _file_chunks(path: str, size: int = 1 << 16):
    try:
        with open(path, "rb") as stream:
            while chunk := stream.read(size):
                yield chunk
    finally:
        _remove(path)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def filename(scope: Region | Organization, on: date, fmt: str) -> tuple[str, str]:
    """The download's name: an ASCII fallback and the full name (with the scope's own name)."""
    plain = f"compliance-{scope.code}-{on.isoformat()}.{fmt}"
    full = f"compliance-{scope.code}-{exports.scope_name(scope)}-{on.isoformat()}.{fmt}"
    return plain, full


def content_disposition(plain: str, full: str) -> str:
    """An attachment header with an ASCII name and the UTF-8 name (RFC 6266 / 5987)."""
    safe = "".join(c for c in plain if c.isascii() and c not in '"\\;') or "export"
    return f"attachment; filename=\"{safe}\"; filename*=UTF-8''{quote(full, safe='')}"


def _attachment(response: Response, scope, on: date, fmt: str) -> Response:
    response.headers["Content-Disposition"] = content_disposition(*filename(scope, on, fmt))
    response.headers["Cache-Control"] = "no-store"  # people's names and certificate numbers
    return response
