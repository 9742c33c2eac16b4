"""Builders for the attack pass: people on file long ago, requests, mail read back.

Everything goes through the product's own write paths. Data "in the past"
is made by moving the product's clock back while it is written (never by
editing timestamps); waiting periods are crossed by moving it forward.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import select

from tests.rights.abuse_world import Someone, customer
from tests.rights.conftest import Sink
from tutela.config import Settings
from tutela.mail import deliver
from tutela.rights.requests import case_id_for_ref, open_request
from tutela.store import CLOCK
from tutela.store.db import Store
from tutela.store.models import SarCase

DAY = dt.timedelta(days=1)
STRANGER = "mallory@attacker.example"


def long_ago(store: Store, days: int = 60, **kw: object) -> Someone:
    """A customer on file (address and assigned line) since `days` ago."""
    with CLOCK.moved(-days * DAY):
        return customer(store, **kw)  # type: ignore[arg-type]


def request(store: Store, settings: Settings, email: str, kind: str = "access") -> int:
    """A request through the public form's path; the id of its case."""
    ref = open_request(store, email=email, settings=settings, kind=kind)
    with store.session() as s:
        found = case_id_for_ref(s, ref)
    assert found is not None
    return found


def ref_of(store: Store, case_id: int) -> str:
    with store.session() as s:
        case = s.get(SarCase, case_id)
        assert case is not None
        return case.ref


def mailed_code(store: Store, settings: Settings, sink: Sink, address: str) -> str:
    """The last one-time code mailed to `address` (the outbox is delivered first)."""
    deliver(store, settings)
    for msg in reversed(sink.to(address)):
        found = re.search(r"confirm: (\d{8})", msg.get_content())
        if found:
            return found.group(1)
    raise AssertionError("no code was mailed to that address")


def verification_of(store: Store, case_id: int) -> tuple[str, str | None, list[int]]:
    """(state, level, subjects) of a case."""
    with store.session() as s:
        row = s.execute(
            select(SarCase.state, SarCase.verification_level, SarCase.person_ids).where(
                SarCase.id == case_id
            )
        ).one()
    return str(row[0]), row[1], json.loads(row[2] or "[]")
