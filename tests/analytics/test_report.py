"""The website and ads report: aggregates only, as JSON, HTML with an SVG chart and CLI."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.collect.weblog.test_ingest import ACCESS_LOG, CLICKS_CSV, ingest
from tests.web.live import app_client
from tests.web.portal_world import PASSWORD, sign_in
from tutela.analytics.report import PURPOSE, web_report
from tutela.auth.signin import add_user, issue_api_token
from tutela.cli.app import app as cli_app
from tutela.collect.quarantine import Quarantine, quarantine_dir
from tutela.collect.weblog.ingest import ingest_click_export
from tutela.config import Settings
from tutela.store.db import Store


@pytest.fixture
def filled(store: Store) -> Store:
    ingest(store, ACCESS_LOG)
    with (
        Quarantine(quarantine_dir(store.data_dir), source="adclicks") as q,
        store.session() as s,
    ):
        ingest_click_export(CLICKS_CSV, session=s, quarantine=q)
    return store


@pytest.fixture
def client(filled: Store, settings: Settings) -> Iterator[TestClient]:
    with app_client(settings) as test_client:
        yield test_client


@pytest.mark.postgresql
@pytest.mark.clause("use.purposes.improve_websites_and_ads")
def test_report_counts_views_per_page_and_day(filled: Store) -> None:
    report = web_report(filled)
    assert [(d.day, d.views, d.ad_clicks) for d in report.days] == [
        (dt.date(2024, 3, 10), 30, 4),
        (dt.date(2024, 3, 11), 1, 0),  # 19:30 -0700 is the next UTC day
    ]
    pricing = next(p for p in report.pages if p.page == "/pricing")
    assert (pricing.day, pricing.views, pricing.visitors) == (
        dt.date(2024, 3, 10),
        7,
        7,
    )
    referrers = {r.referrer_host: r.views for r in report.referrers}
    assert referrers["www.google.com"] == 2 and referrers[":ip"] == 1
    campaigns = {c.campaign: (c.landings, c.reported) for c in report.campaigns}
    assert campaigns["spring_sale"] == (1, 0)
    assert campaigns["Brand"] == (0, 3) and campaigns["Spring Sale"] == (0, 2)


@pytest.mark.postgresql
@pytest.mark.clause("use.purposes.improve_websites_and_ads")
def test_report_window_and_site_filter(filled: Store) -> None:
    day = web_report(filled, since=dt.date(2024, 3, 11))
    other = web_report(filled, site="other.example.com")
    march_1 = web_report(filled, until=dt.date(2024, 3, 1))
    assert [d.views for d in day.days] == [1]
    assert other.days == [] and other.campaigns == []
    assert {c.campaign: c.reported for c in march_1.campaigns} == {"Spring Sale": 2}


def _engineer(store: Store) -> dict[str, str]:
    """Headers of an API request by an engineer (the API needs a token)."""
    add_user(store, email="eng-api@staff.test", role="engineering", password=PASSWORD)
    token = issue_api_token(store, email="eng-api@staff.test")
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.clause("scope.web_unlinked")
def test_report_json_holds_aggregates_only(client: TestClient, filled: Store) -> None:
    response = client.get(
        "/api/web/report", params={"limit": 100}, headers=_engineer(filled)
    )
    assert response.status_code == 200
    payload = response.json()
    assert payload["ok"] is True and payload["purpose"] == PURPOSE
    assert payload["views"] == 31 and payload["ad_clicks"] == 4
    with filled.session() as s:
        from sqlalchemy import select

        from tutela.store.models import WebVisit

        hashes = set(s.scalars(select(WebVisit.visitor_hash)))
        prefixes = set(s.scalars(select(WebVisit.ip_truncated)))
    text = response.text
    assert not any(h in text for h in hashes)
    assert not any(p.split("/")[0] in text for p in prefixes)


def test_report_page_draws_an_inline_svg_chart(
    client: TestClient, filled: Store
) -> None:
    add_user(filled, email="eng@staff.test", role="engineering", password=PASSWORD)
    sign_in(client, "eng@staff.test")
    response = client.get("/console/web")
    assert response.status_code == 200
    html = response.text
    assert "<svg" in html and html.count('class="bar"') == 2
    assert 'data-views="30"' in html and 'data-clicks="4"' in html
    assert "<script" not in html and "src=" not in html
    assert "default-src 'none'" in response.headers["content-security-policy"]
    empty = client.get("/console/web", params={"site": "nowhere.example"})
    assert 'id="no-data"' in empty.text


def test_report_rejects_a_bad_date_with_422(client: TestClient, filled: Store) -> None:
    bad = client.get(
        "/api/web/report", params={"since": "yesterday"}, headers=_engineer(filled)
    )
    assert bad.status_code == 422


def test_cli_web_report_prints_one_json_document(
    filled: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    if settings.database_url:
        monkeypatch.setenv("TUTELA_DATABASE_URL", settings.database_url)
    args = ["web", "report", "--data", str(settings.data), "--json"]
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["ok"] is True and payload["views"] == 31
    text = CliRunner().invoke(cli_app, args[:-1] + ["--since", "2024-03-11"])
    assert text.exit_code == 0 and "views 1," in text.stdout


def test_cli_destroy_salts_closes_earlier_days(tmp_path: Path) -> None:
    salts = tmp_path / "salts"
    salts.mkdir()
    (salts / "2024-03-10.salt").write_bytes(b"\x01" * 32)
    args = ["web", "destroy-salts", "--data", str(tmp_path), "--json"]
    result = CliRunner().invoke(cli_app, [*args, "--before", "2024-03-11"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "ok": True,
        "destroyed": 1,
        "horizon": "2024-03-11",
    }
    assert not (salts / "2024-03-10.salt").exists()
