"""Deadlines follow the law of the subject's jurisdiction."""

from __future__ import annotations

import datetime as dt

import pytest

from tutela.rights.deadlines import add_business_days, rule_for, status_of

JAN31 = dt.datetime(2026, 1, 31, 9, 0, tzinfo=dt.UTC)


@pytest.mark.clause("rights.access")
def test_gdpr_is_one_month_clamped_and_extendable_by_two() -> None:
    rule = rule_for("DE")
    assert rule.name == "gdpr"
    assert rule.respond_by(JAN31) == dt.datetime(2026, 2, 28, 9, 0, tzinfo=dt.UTC)
    assert rule.latest_extension(JAN31) == dt.datetime(2026, 4, 28, 9, 0, tzinfo=dt.UTC)
    assert rule.confirm_by(JAN31) is None


@pytest.mark.clause("rights.access")
def test_ccpa_confirms_in_ten_business_days_and_answers_in_45() -> None:
    rule = rule_for("US-CA")
    friday = dt.datetime(2026, 3, 6, tzinfo=dt.UTC)
    assert rule.confirm_by(friday) == dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
    assert rule.respond_by(friday) == friday + dt.timedelta(days=45)
    assert rule.latest_extension(friday) == friday + dt.timedelta(days=90)


@pytest.mark.clause("rights.access")
def test_pipeda_is_thirty_days_plus_thirty() -> None:
    rule = rule_for("CA-ON")
    assert rule.name == "pipeda"
    assert rule.respond_by(JAN31) == JAN31 + dt.timedelta(days=30)
    assert rule.latest_extension(JAN31) == JAN31 + dt.timedelta(days=60)


def test_unknown_subject_gets_the_shortest_period_and_no_extension() -> None:
    rule = rule_for(None)
    assert rule.respond_by(JAN31) == JAN31 + dt.timedelta(days=30)
    assert rule.latest_extension(JAN31) is None


def test_business_days_skip_weekends() -> None:
    saturday = dt.datetime(2026, 3, 7, tzinfo=dt.UTC)
    assert add_business_days(saturday, 1) == dt.datetime(2026, 3, 9, tzinfo=dt.UTC)


def test_status_is_overdue_due_soon_or_on_time() -> None:
    due = JAN31
    assert status_of(due, due + dt.timedelta(seconds=1)) == "overdue"
    assert status_of(due, due - dt.timedelta(days=3)) == "due_soon"
    assert status_of(due, due - dt.timedelta(days=30)) == "on_time"
