"""Attempts to link website activity to people, each of which must fail.

Policy: scope.web_unlinked, "Information collected from use of Jive’s
websites is not associated with any personally identifiable information."
Each test plays an analyst who holds a person's IP address, e-mail address
or customer-portal session cookie and tries to find that person's visits.
They all fail because nothing in the store can be joined on: no foreign key,
no full IP, no e-mail, no cookie, and visitor hashes keyed by salts that live
outside the database and are destroyed after a day. Finally the database
itself (SQLite file or pg_dump), the quarantine and the captured logs are
searched for every full IP address of the input.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, inspect, select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session

from tests.collect.weblog.test_ingest import ACCESS_LOG, GPC_LOG, ingest
from tutela.collect.weblog import SaltUnavailable, VisitorHasher
from tutela.collect.weblog.ingest import salts_for
from tutela.config import Settings
from tutela.conformance.check import check
from tutela.errors import PolicyInvalid
from tutela.policy.loader import DEFAULT_POLICY, load_policy
from tutela.store.db import Store, open_store
from tutela.store.models import Account, Base, Person, WebVisit
from tutela.store.models.web import UNLINKABLE_TABLES
from tutela.web.app import create_app

EMAIL = "jane.doe@example.com"
PORTAL_COOKIE = "portal_session=Zk9xR2c4dFhQbW5WcUxhWjN5"
PORTAL_SESSION = "Zk9xR2c4dFhQbW5WcUxhWjN5"
BEACON_IP = "198.51.100.250"
BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/122.0 Safari/537.36"
_V4 = re.compile(rb"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d])")


def input_ipv4s() -> set[str]:
    """Every valid IPv4 address written anywhere in the input logs or beacons."""
    found = {BEACON_IP}
    for path in (ACCESS_LOG, GPC_LOG):
        for match in _V4.findall(path.read_bytes()):
            try:
                ip_address(match.decode())
            except ValueError:
                continue
            found.add(match.decode())
    return found


def leaked(ips: set[str], blob: bytes) -> set[str]:
    return {
        ip
        for ip in ips
        if re.search(rb"(?<![\d.])" + re.escape(ip.encode()) + rb"(?![\d])", blob)
    }


@dataclass
class Ingested:
    store: Store
    settings: Settings
    logs: str


@pytest.fixture
def ingested(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> Iterator[Ingested]:
    """Both logs and three beacons ingested, with every log record captured."""
    caplog.set_level(logging.DEBUG)
    store = open_store(settings)
    with store.session() as s:
        account = Account(ref="ACC-WEB-1", organization="Acme Dental LLC")
        s.add(account)
        s.flush()
        s.add(Person(account_id=account.id, role="admin", name="Jane", email=EMAIL))
    ingest(store, ACCESS_LOG)
    ingest(store, GPC_LOG)
    app = create_app(settings)
    with TestClient(app, client=(BEACON_IP, 40000)) as client:
        for path in (f"/portal/login?email={EMAIL}", f"/unsubscribe/{EMAIL}"):
            client.post(
                "/collect",
                json={"site": "www.example.com", "path": path},
                headers={"User-Agent": BROWSER},
            )
        client.post(
            "/collect",
            json={
                "site": "portal.example.com",
                "path": f"/portal/dashboard?session={PORTAL_SESSION}",
            },
            headers={"User-Agent": BROWSER, "Cookie": PORTAL_COOKIE},
        )
    app.state.web_store.close()
    # The message and every attribute of every record (``extra`` included).
    logs = caplog.text + "\n".join(repr(vars(r)) for r in caplog.records)
    try:
        yield Ingested(store, settings, logs)
    finally:
        store.close()


def web_values(session: Session) -> list[str]:
    """Every stored text value of the web tables."""
    values: list[str] = []
    for name in UNLINKABLE_TABLES:
        table = Base.metadata.tables[name]
        texts = [c for c in table.columns if isinstance(c.type, String)]
        for row in session.execute(select(*texts)):
            values += [v for v in row if v is not None]
    return values


@pytest.mark.clause("scope.web_unlinked")
def test_visits_cannot_be_found_or_joined_by_ip_address(ingested: Ingested) -> None:
    ips = input_ipv4s()
    with ingested.store.session() as s:
        values = web_values(s)
        assert values, "the web tables really hold the ingested visits"
        assert not leaked(ips, "\n".join(values).encode())
        # No relationship path from a person or account to a visit.
        for identifying in (Person, Account):
            with pytest.raises(InvalidRequestError):
                s.execute(select(identifying).join(WebVisit)).all()
    # The hash cannot be recomputed once the day is over and its salt destroyed.
    today = dt.datetime.now(dt.UTC).date()
    salts = salts_for(ingested.store.data_dir)
    salts.destroy_before(today + dt.timedelta(days=1))
    hasher = VisitorHasher(salts)
    with pytest.raises(SaltUnavailable):
        hasher.visitor_hash(today, "www.example.com", ip_address(BEACON_IP), BROWSER)


@pytest.mark.clause("scope.web_unlinked")
def test_visits_cannot_be_joined_by_an_email_in_the_query_string(
    ingested: Ingested,
) -> None:
    with ingested.store.session() as s:
        person = s.scalars(select(Person).where(Person.email == EMAIL)).one()
        assert person.email is not None
        values = web_values(s)
        assert not any("jane" in v.lower() or "@" in v for v in values)
        for column in (WebVisit.page, WebVisit.referrer_host):
            joined = s.execute(
                select(WebVisit.id).join(Person, column.contains(Person.email))
            ).all()
            assert joined == []
        pages = set(s.scalars(select(WebVisit.page)))
    assert {"/portal/login", "/unsubscribe/:email"} <= pages


@pytest.mark.clause("scope.web_unlinked")
def test_visits_cannot_be_joined_by_a_customer_portal_session(
    ingested: Ingested,
) -> None:
    with ingested.store.session() as s:
        values = web_values(s)
        assert not any(PORTAL_SESSION in v for v in values)
        dashboard = s.scalars(
            select(WebVisit).where(WebVisit.page == "/portal/dashboard")
        ).one()
        login = s.scalars(
            select(WebVisit).where(WebVisit.page == "/portal/login")
        ).one()
    # The cookie plays no part: only site, address and user agent key the hash.
    assert dashboard.visitor_hash != login.visitor_hash  # different site
    columns = {
        c["name"]
        for name in UNLINKABLE_TABLES
        for c in inspect(ingested.store.engine).get_columns(name)
    }
    for forbidden in ("account_id", "person_id", "email", "session", "cookie", "ip"):
        assert not any(forbidden == c or c.endswith("_" + forbidden) for c in columns)


@pytest.mark.clause("scope.web_unlinked")
def test_no_purpose_may_use_web_data_with_identifying_data(tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    purposes = data["meaning"]["purposes"]
    web = [
        p["id"]
        for p in purposes
        if {"web_activity", "ad_clicks"} & set(p["categories"])
    ]
    assert web == ["improve_websites_and_ads"]
    for purpose in purposes:
        if purpose["id"] == "improve_websites_and_ads":
            purpose["categories"].append("business_contact")
    widened = tmp_path / "widened.yaml"
    widened.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PolicyInvalid):
        load_policy(widened)


@pytest.mark.clause("scope.web_unlinked")
def test_policy_check_refuses_a_key_from_visits_to_people() -> None:
    metadata = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    visits = metadata.tables["web_visits"]
    visits.append_column(
        Column(
            "person_id",
            Integer,
            ForeignKey("people.id"),
            info={"personal": False, "reason": "x"},
        )
    )
    report = check(load_policy(DEFAULT_POLICY), metadata)
    assert any("web_visits.person_id -> people" in p for p in report.problems)
    assert check(load_policy(DEFAULT_POLICY), Base.metadata).ok


def _database_bytes(settings: Settings) -> bytes:
    if settings.database_url is None:
        db = settings.sqlite_path
        return b"".join(
            p.read_bytes() for p in db.parent.glob(db.name + "*") if p.is_file()
        )
    url = settings.resolved_database_url().replace(
        "postgresql+psycopg://", "postgresql://"
    )
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is installed by `make test`"
    return subprocess.run([pg_dump, url], check=True, capture_output=True).stdout


@pytest.mark.postgresql
@pytest.mark.clause("scope.web_unlinked")
@pytest.mark.clause("collect.web_use.web_activity")
def test_no_full_ip_address_reaches_the_database_quarantine_or_logs(
    ingested: Ingested,
) -> None:
    ips = input_ipv4s()
    assert len(ips) > 30
    ingested.store.close()
    dump = _database_bytes(ingested.settings)
    assert b"/24" in dump  # the dump really holds the truncated addresses
    assert leaked(ips, dump) == set()
    quarantine = list((ingested.settings.data / "quarantine").glob("*.jsonl"))
    assert quarantine
    assert leaked(ips, b"".join(p.read_bytes() for p in quarantine)) == set()
    assert "web.ingest.done" in ingested.logs
    assert leaked(ips, ingested.logs.encode()) == set()
    full_v6 = {"2001:db8:85a3::8a2e:370:7334", "2001:db8:4::1f", "2001:db8:77::5"}
    everything = dump + ingested.logs.encode()
    assert not [ip for ip in full_v6 if ip.encode() in everything]
