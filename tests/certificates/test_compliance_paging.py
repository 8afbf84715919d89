"""A region's own enterprises come a page at a time and the furthest from 100% are read from each
enterprise's kept one-row total, which stays equal to its count rows through every change."""

from datetime import date

import pytest

from certificates.compliance.models import OrgTotals
from certificates.compliance.rates import Filters, Paging, furthest_enterprises, overview
from certificates.compliance.verify import verify
from lms.extensions import db
from lms.models import Post
from lms.regions import region_by_code


@pytest.fixture
def district(make, make_cert, on_day):
    """Binhu (320211) with four enterprises: 甲 1 of 2 certified, 乙 0 of 1, 丙 2 of 2, 丁 no key posts."""
    make.rules()
    firms = {name: make.org(name, region_code="320211") for name in ("甲机械", "乙机械", "丙机械", "丁机械")}
    certified = [make.person("甲一", org=firms["甲机械"], post=Post.SPECIAL_OPERATIONS, subtype="2.1"),
                 make.person("丙一", org=firms["丙机械"], post=Post.SPECIAL_OPERATIONS, subtype="2.1"),
                 make.person("丙二", org=firms["丙机械"], post=Post.SPECIAL_OPERATIONS, subtype="2.1")]
    make.person("甲二", org=firms["甲机械"], post=Post.SPECIAL_OPERATIONS, subtype="2.1")
    make.person("乙一", org=firms["乙机械"], post=Post.SPECIAL_OPERATIONS, subtype="2.1")
    make.person("丁一", org=firms["丁机械"])
    for person in certified:
        make_cert(person, issued_on=date(2025, 1, 10))
    return region_by_code("320211"), firms, on_day


def _names(view) -> list[str]:
    return [row.name_zh for row in view.children if row.kind == "enterprise"]


def test_the_enterprises_come_a_page_at_a_time_by_name_or_lowest_rate_first(district):
    region, _firms, today = district
    first = overview(region, Filters(), today, today, Paging(page=1, per_page=3))
    second = overview(region, Filters(), today, today, Paging(page=2, per_page=3))
    assert (first.enterprise_count, first.pages) == (4, 2)
    assert _names(first) + _names(second) == ["丁机械", "丙机械", "乙机械", "甲机械"]  # by name (code points)
    by_rate = overview(region, Filters(), today, today, Paging(per_page=10, sort="certified_rate"))
    assert _names(by_rate) == ["乙机械", "甲机械", "丙机械", "丁机械"]  # 0%, 50%, 100%, none last
    # A filtered page is summed from the count rows and paged the same way.
    filtered = overview(region, Filters(post="special_operations"), today, today,
                        Paging(per_page=10, sort="certified_rate"))
    assert _names(filtered) == ["乙机械", "甲机械", "丙机械"]
    # Another day is worked out from the base tables and paged alike.
    past = overview(region, Filters(), date(2024, 6, 1), today, Paging(page=2, per_page=3))
    assert past.enterprise_count == 4 and _names(past) == ["甲机械"]


def test_the_furthest_enterprises_rank_lowest_rate_first_with_or_without_filters(district):
    region, _firms, today = district
    kept = furthest_enterprises(region, Filters(), today)
    assert [(r.name_zh, r.figures.certified, r.figures.key_on_job) for r in kept] == [("乙机械", 0, 1),
                                                                                       ("甲机械", 1, 2)]
    summed = furthest_enterprises(region, Filters(post="special_operations"), today)
    assert [r.name_zh for r in summed] == ["乙机械", "甲机械"]
    # The province holds the certificate fixtures' welding firm too (no certificate of its own yet).
    assert [r.name_zh for r in furthest_enterprises(region_by_code("320000"), Filters(), today, limit=2)] == \
        ["乙机械", "无锡焊接工程有限公司"]


def test_the_one_row_totals_follow_changes_and_a_move_to_another_region(district, make_cert, make):
    region, firms, today = district
    totals = db.session.get(OrgTotals, firms["甲机械"].id)
    assert (totals.key_on_job, totals.certified, totals.rate_key, totals.shortfall) == (2, 1, 5000, 1)
    make_cert(make.person("甲三", org=firms["甲机械"], post=Post.SPECIAL_OPERATIONS, subtype="2.1"))
    db.session.expire_all()
    totals = db.session.get(OrgTotals, firms["甲机械"].id)
    assert (totals.key_on_job, totals.certified, totals.rate_key, totals.shortfall) == (3, 2, 6666, 1)
    firms["乙机械"].region = region_by_code("320214")  # moved to Xinwu
    db.session.commit()
    assert db.session.get(OrgTotals, firms["乙机械"].id).region_path == region_by_code("320214").path
    assert [r.name_zh for r in furthest_enterprises(region, Filters(), today)] == ["甲机械"]
    report = verify(today)
    assert report.ok, report.differences[:5]
    totals.certified = 3  # a kept total that drifted is reported
    db.session.commit()
    assert any(line.startswith("enterprise totals") for line in verify(today).differences)


def test_todays_gap_list_comes_a_page_at_a_time_gaps_first_and_each_tab_counts_its_lines(district):
    from certificates.compliance.rates import enterprise_figures, people, people_page, tab_counts

    _region, firms, today = district
    firm = firms["甲机械"]
    first, total = people_page(firm, Filters(), "all", Paging(page=1, per_page=1), today)
    second, _ = people_page(firm, Filters(), "all", Paging(page=2, per_page=1), today)
    assert total == 2
    assert [line.person.name for line in first + second] == ["甲二", "甲一"]  # the uncertified first
    assert [line.person.name for line in first + second] == [line.person.name for line in
                                                               people(firm, Filters(), today, today)]
    counts = tab_counts(enterprise_figures(firm, Filters(), today, today))
    assert counts["all"] == 2 and counts["not_certified"] == 1
    for tab, count in counts.items():
        assert people_page(firm, Filters(), tab, Paging(per_page=100), today)[1] == count, tab
