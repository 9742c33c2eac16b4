"""The retention sweep follows the policy: fixed periods expire, voicemail never does."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tutela.policy.loader import DEFAULT_POLICY, load_policy
from tutela.store.db import Store
from tutela.store.models import Account, Voicemail, WebVisit
from tutela.store.retention import AGE_COLUMNS, sweep, sweepable_tables

NOW = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)


def _visit(key: str, when: dt.datetime) -> WebVisit:
    return WebVisit(
        dedupe_key=key,
        site="www.example.com",
        page="/pricing",
        viewed_at=when,
        device_class="desktop",
        ip_truncated="198.51.100.0/24",
        visitor_hash="h" * 32,
    )


# Fixed-period tables the sweep does not handle yet; a new one must be added
# to AGE_COLUMNS or, consciously, here.
NOT_SWEPT = {
    "outbox",
    "policy_subscriptions",
    "rights_messages",
    "sar_cases",
    "sar_verification_data",
}


def test_every_fixed_period_table_is_swept_or_reported() -> None:
    tables = set(sweepable_tables(load_policy(DEFAULT_POLICY)))
    assert {"web_visits", "ad_clicks", "ad_click_totals"} <= tables
    assert tables - set(AGE_COLUMNS) == NOT_SWEPT


@pytest.mark.clause("collect.web_use.web_activity")
def test_web_visits_older_than_the_period_are_deleted(store: Store) -> None:
    days = load_policy(DEFAULT_POLICY).category("web_activity").retention.days
    assert days is not None
    with store.session() as s:
        s.add(_visit("old", NOW - dt.timedelta(days=days + 1)))
        s.add(_visit("new", NOW - dt.timedelta(days=days - 1)))
    result = sweep(store, now=NOW)
    assert result.deleted["web_visits"] == 1
    assert set(result.not_swept) == NOT_SWEPT
    with store.session() as s:
        assert s.scalars(select(WebVisit.dedupe_key)).all() == ["new"]


@pytest.mark.clause("collect.service_use.voicemail")
def test_a_ten_year_old_voicemail_survives_the_sweep(store: Store) -> None:
    with store.session() as s:
        account = Account(ref="ACC-VM", organization="Old Messages LLC")
        s.add(account)
        s.flush()
        s.add(
            Voicemail(
                account_id=account.id,
                dedupe_key="vm:old",
                mailbox="100",
                received_at=NOW - dt.timedelta(days=3650),
                duration_s=12,
            )
        )
    result = sweep(store, now=NOW)
    assert "voicemail" in result.kept_forever
    assert "voicemails" not in result.deleted
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Voicemail)) == 1
