"""Requests that mail an address: at most so many per address, whoever asks.

Clauses: rights.access.request (anyone may ask, by form, API or mail) and
rights.access.verification (the answer says nothing about whether an
address is known). The per-address limit (`tutela.mail.limits`) is counted
in the database before anyone is looked up. SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.rights.conftest import OnFile
from tests.rights.mails import mail, outbox
from tests.web.live import app_client
from tutela.config import Settings
from tutela.rights.intake import intake_message
from tutela.store.db import Store
from tutela.store.models import RightsMessage, SarCase, SarCaseRef

UNKNOWN = "nobody@example.net"


def rows(store: Store) -> tuple[int, int]:
    with store.session() as session:
        cases = session.scalar(select(func.count()).select_from(SarCase)) or 0
        refs = session.scalar(select(func.count()).select_from(SarCaseRef)) or 0
    return int(cases), int(refs)


@pytest.mark.clause("rights.access.verification")
def test_a_fourth_request_for_one_address_in_an_hour_is_refused_alike(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    answers: dict[str, list[tuple[int, str | None]]] = {}
    refusals: dict[str, str] = {}
    with app_client(settings) as client:
        for address in (ann.email, UNKNOWN):
            got = [client.post("/api/sar", json={"email": address}) for _ in range(3)]
            before = rows(store)
            over = client.post("/api/sar", json={"email": address})
            page = client.post("/rights/access", data={"email": address})
            assert rows(store) == before  # no case, no reference, no mail
            answers[address] = [
                (r.status_code, r.headers.get("retry-after")) for r in got
            ] + [(over.status_code, "set" if over.headers.get("retry-after") else None)]
            answers[address].append((page.status_code, None))
            refusals[address] = over.text + page.text
    assert answers[ann.email] == answers[UNKNOWN]
    assert answers[UNKNOWN] == [(202, None)] * 3 + [(429, "set"), (429, None)]
    assert refusals[ann.email] == refusals[UNKNOWN]
    assert ann.email not in refusals[ann.email]
    codes = [to for kind, to in outbox(store) if kind == "sar_code"]
    assert codes == [ann.email]  # one case, one code


@pytest.mark.clause("rights.access.request")
def test_mail_back_to_one_sender_stops_at_its_limit_but_every_request_is_kept(
    store: Store, settings: Settings
) -> None:
    sender = "carol@example.net"
    subjects = [
        "Subject Access Request",
        "Request for Deletion",
        "Request for Correction",
        "A question about your policy",
    ]
    for n, subject in enumerate(subjects):
        intake_message(
            store,
            mail(sender, subject=subject, message_id=f"<q{n}@example.net>", auth=[]),
            settings=settings,
        )
    with store.session() as session:
        kept = session.scalar(select(func.count()).select_from(RightsMessage))
        cases = session.scalar(select(func.count()).select_from(SarCase))
    assert (kept, cases) == (4, 3)  # the deadlines run whatever is mailed
    # Acknowledgements and codes together stop at the hourly limit: no inbox
    # acknowledgement this hour.
    mailed = [m for m in outbox(store) if m[1] == sender]
    assert len(mailed) == settings.mail_per_address_per_hour
    assert mailed[0] == ("sar_ack", sender)
    assert ("inbox_ack", sender) not in mailed


@pytest.mark.clause("rights.access.verification")
def test_codes_for_requests_by_mail_count_against_the_address_too(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    # Each kind opens its own case, and each case would mail a code to the
    # address on file: the acknowledgements and codes together stop at the
    # address's hourly limit.
    for n, subject in enumerate(
        ("Subject Access Request", "Request for Correction", "Subject Access Request")
    ):
        intake_message(
            store,
            mail(ann.email, subject=subject, message_id=f"<c{n}@example.com>", auth=[]),
            settings=settings,
        )
    mailed = [to for _, to in outbox(store) if to == ann.email]
    assert len(mailed) == settings.mail_per_address_per_hour
    with store.session() as session:
        cases = session.scalar(select(func.count()).select_from(SarCase))
    assert cases == 2  # the repeat joins its open case; every request is kept
