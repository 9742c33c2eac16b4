"""Web-log ingest into the store: idempotent (on PostgreSQL too), quarantining, GPC-aware."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest
import typer
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.collect.weblog.test_logformat import EXPECTED_REJECTIONS
from tutela.cli.web import register_ingest
from tutela.collect.quarantine import Quarantine, quarantine_dir, read_quarantine
from tutela.collect.weblog.ingest import (
    WeblogSummary,
    ingest_click_export,
    ingest_weblog,
    salts_for,
)
from tutela.config import Settings
from tutela.store.db import Store
from tutela.store.models import AdClick, AdClickTotal, Base, WebVisit
from tutela.store.models.web import UNLINKABLE_TABLES

DATA = Path(__file__).parents[1] / "web_data"
ACCESS_LOG = DATA / "access.log"
GPC_LOG = DATA / "access_gpc.log"
CLICKS_CSV = DATA / "google_ads_clicks.csv"
SITE = "www.example.com"


def ingest(store: Store, path: Path | str, *, fmt: str = "auto") -> WeblogSummary:
    with (
        Quarantine(quarantine_dir(store.data_dir), source="weblog") as quarantine,
        store.session() as session,
    ):
        return ingest_weblog(
            path,
            session=session,
            salts=salts_for(store.data_dir),
            site=SITE,
            quarantine=quarantine,
            fmt=fmt,  # type: ignore[arg-type]
            name=Path(path).name,
        )


def count(store: Store, model: type[Base]) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.clause("collect.web_use")
@pytest.mark.clause("collect.web_use.web_activity")
def test_ingest_quarantines_exactly_the_odd_lines(store: Store) -> None:
    summary = ingest(store, ACCESS_LOG)
    assert summary.read == 51
    assert summary.rejected == len(EXPECTED_REJECTIONS)
    assert summary.bots == 6
    assert summary.stored == 51 - 14 - 6
    assert summary.ad_clicks == 4
    assert summary.quarantine is not None
    quarantined = read_quarantine(Path(summary.quarantine))
    assert {r["line"]: r["reason"] for r in quarantined} == EXPECTED_REJECTIONS
    assert all(r["file"] == "access.log" and "excerpt" not in r for r in quarantined)
    assert Path(summary.quarantine).stat().st_mode & 0o777 == 0o600
    assert count(store, WebVisit) == summary.stored


@pytest.mark.postgresql
@pytest.mark.clause("collect.web_use.web_activity")
def test_reingesting_the_same_log_stores_nothing_twice(store: Store) -> None:
    first = ingest(store, ACCESS_LOG)
    again = ingest(store, ACCESS_LOG)
    assert again.stored == 0 and again.ad_clicks == 0
    assert again.duplicates == first.stored
    assert count(store, WebVisit) == first.stored
    assert count(store, AdClick) == first.ad_clicks


@pytest.mark.clause("collect.web_use.web_activity")
def test_gzip_log_is_the_same_log(store: Store, tmp_path: Path) -> None:
    packed = tmp_path / "access.log"  # no .gz suffix: detected by magic bytes
    packed.write_bytes(gzip.compress(ACCESS_LOG.read_bytes()))
    first = ingest(store, packed)
    assert first.stored == 31
    assert ingest(store, ACCESS_LOG).stored == 0  # same lines, same dedupe keys


@pytest.mark.clause("collect.web_use.web_activity")
def test_stored_visit_keeps_only_the_pseudonymous_fields(store: Store) -> None:
    ingest(store, ACCESS_LOG)
    with store.session() as s:
        rows = s.scalars(select(WebVisit).order_by(WebVisit.viewed_at)).all()
        pages = {r.page for r in rows}
        first = rows[0]
        assert first.ip_truncated == "203.0.113.0/24"
        assert first.page == "/" and first.device_class == "desktop"
        assert first.viewed_at.replace(tzinfo=dt.UTC) == dt.datetime(
            2024, 3, 10, 14, 0, 1, tzinfo=dt.UTC
        )
        assert len(first.visitor_hash) == 32
        assert {"/unsubscribe/:email", "/numbers/search/:phone"} <= pages
        assert not any("jane" in p or "session" in p or "?" in p for p in pages)
        v6 = {r.ip_truncated for r in rows if ":" in r.ip_truncated}
        assert "2001:db8:85a3::/48" in v6


@pytest.mark.clause("collect.web_use.ad_clicks")
def test_ad_landings_become_ad_clicks_without_click_ids(store: Store) -> None:
    ingest(store, ACCESS_LOG)
    with store.session() as s:
        clicks = s.scalars(select(AdClick).order_by(AdClick.clicked_at)).all()
        spring = clicks[0]
        assert (spring.campaign, spring.source, spring.medium) == (
            "spring_sale",
            "google",
            "cpc",
        )
        assert spring.term == "voip phones" and spring.click_kind == "gclid"
        assert spring.landing_page == "/pricing" and spring.site == SITE
        assert {c.ad for c in clicks} >= {":email"}  # utm_content=jane.doe@… scrubbed
        for click in clicks:
            assert "EAIa" not in repr(vars(click)) and "IwAR" not in repr(vars(click))


@pytest.mark.clause("collect.web_use.ad_clicks")
def test_gpc_requests_are_visits_but_never_ad_clicks(store: Store) -> None:
    summary = ingest(store, GPC_LOG)
    with store.session() as s:
        kinds = sorted(c.click_kind or "" for c in s.scalars(select(AdClick)))
    # Lines 1-3 are ad landings; the GPC log's own signal decides per line.
    assert summary.stored == 5
    assert summary.ad_clicks + summary.gpc_suppressed == 3
    assert len(kinds) == summary.ad_clicks


@pytest.mark.clause("collect.web_use.web_activity")
def test_json_lines_log_is_ingested(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "access.jsonl"
    lines = [
        {
            "time_iso8601": "2024-03-10T14:00:01+00:00",
            "remote_addr": "198.51.100.7",
            "request": "GET /pricing?email=jane.doe@example.com HTTP/1.1",
            "status": "200",
            "http_user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/123.0",
            "host": "shop.example.com",
        },
        {"remote_addr": "198.51.100.8"},
    ]
    log.write_text("".join(json.dumps(line) + "\n" for line in lines))
    summary = ingest(store, log, fmt="json")
    assert (summary.stored, summary.rejected) == (1, 1)
    with store.session() as s:
        visit = s.scalars(select(WebVisit)).one()
        assert (visit.site, visit.page) == ("shop.example.com", "/pricing")


@pytest.mark.clause("scope.web_unlinked")
def test_a_day_whose_salt_is_destroyed_is_quarantined_not_rehashed(
    store: Store,
) -> None:
    first = ingest(store, ACCESS_LOG)
    salts_for(store.data_dir).destroy_before(dt.date(2024, 3, 12))
    again = ingest(store, ACCESS_LOG)
    assert again.stored == 0
    assert again.rejected == first.rejected + first.stored + first.bots - 6
    assert count(store, WebVisit) == first.stored
    assert not list((store.data_dir / "salts").glob("2024-03-1[01].salt"))


@pytest.mark.postgresql
@pytest.mark.clause("collect.web_use.ad_clicks")
def test_click_export_reimport_replaces_counts(store: Store) -> None:
    def run() -> int:
        with (
            Quarantine(quarantine_dir(store.data_dir), source="adclicks") as q,
            store.session() as s,
        ):
            summary = ingest_click_export(CLICKS_CSV, session=s, quarantine=q)
        assert summary.rejected == 3
        return summary.clicks

    assert run() == 5
    assert run() == 5
    with store.session() as s:
        assert s.scalar(select(func.sum(AdClickTotal.clicks))) == 5
        totals = s.scalars(select(AdClickTotal)).all()
        assert {t.campaign for t in totals} == {"Spring Sale", "Brand"}
        assert all("EAIa" not in repr(vars(t)) for t in totals)
        assert {t.term for t in totals} >= {":email"}


@pytest.mark.postgresql
def test_web_migration_matches_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [d for d in diff if any(t in repr(d) for t in UNLINKABLE_TABLES)]
    assert ours == []


def _ingest_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """ingest"""

    register_ingest(app)
    return app


@pytest.mark.clause("collect.web_use.web_activity")
def test_cli_weblog_prints_one_json_summary_and_exits_1_on_rejects(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    if settings.database_url:
        monkeypatch.setenv("TUTELA_DATABASE_URL", settings.database_url)
    args = ["weblog", str(ACCESS_LOG), "--site", SITE, "--data", str(settings.data)]
    result = CliRunner().invoke(_ingest_app(), [*args, "--json"])
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    assert payload["ok"] is True
    assert (payload["read"], payload["stored"], payload["rejected"]) == (51, 31, 14)
    assert payload["bots"] == 6
    clean = settings.data / "clean.log"
    clean.write_bytes(ACCESS_LOG.read_bytes().splitlines(keepends=True)[0])
    again = CliRunner().invoke(_ingest_app(), ["weblog", str(clean), *args[2:]])
    assert again.exit_code == 0, again.output
    assert "stored 0 (1 already stored)" in again.stdout


def test_cli_weblog_refuses_an_unknown_format(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        _ingest_app(), ["weblog", str(ACCESS_LOG), "--format", "w3c"]
    )
    assert result.exit_code == 2
