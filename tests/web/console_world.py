"""Staff of every role, a customer contact on file and her access request: the console tests.

Ann Example (ann@example.com, account ACME-1, US-CA) sends a Subject Access
Request by e-mail; the intake mails her a one-time code, which the test
reads from the outbox (as the requester would from her mailbox). All values
are obviously fake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.rights.conftest import add_person, message
from tests.web.portal_world import PASSWORD, csrf_of, sign_in
from tutela.auth.signin import add_user
from tutela.config import Settings
from tutela.rights.intake import intake_message
from tutela.store.db import Store
from tutela.store.models import OutboxMessage

OFFICER = "officer@staff.test"
SECOND_OFFICER = "officer2@staff.test"
STAFF = {
    OFFICER: "privacy_officer",
    SECOND_OFFICER: "privacy_officer",
    "support@staff.test": "support_agent",
    "billing@staff.test": "billing",
    "engineering@staff.test": "engineering",
    "auditor@staff.test": "auditor",
}
ANN = "ann@example.com"

__all__ = ["ANN", "OFFICER", "PASSWORD", "SECOND_OFFICER", "csrf_of", "sign_in"]


@dataclass(frozen=True)
class Staffed:
    user_ids: dict[str, int]
    ann_person: int


def staff_and_ann(store: Store) -> Staffed:
    """Every staff role (two officers) and Ann on file."""
    ids = {
        email: add_user(store, email=email, role=role, password=PASSWORD).id
        for email, role in STAFF.items()
    }
    ann = add_person(store)
    return Staffed(ids, ann.person_id)


def ann_asks(store: Store, settings: Settings) -> int:
    """Ann's e-mailed request; its case id (state verifying, code mailed)."""
    case_id = intake_message(store, message("plain.eml"), settings=settings).case_id
    assert case_id is not None
    return case_id


def code_sent(store: Store) -> str:
    """The latest one-time code in the outbox (read before delivery erases it)."""
    with store.session() as session:
        bodies = list(
            session.scalars(
                select(OutboxMessage.body)
                .where(OutboxMessage.kind == "sar_code")
                .order_by(OutboxMessage.id.desc())
            )
        )
    for body in bodies:
        found = re.search(r"confirm: (\d{8})", body or "")
        if found:
            return found.group(1)
    raise AssertionError("no code in the outbox")


def officer_client(client: TestClient, email: str = OFFICER) -> str:
    """Sign `email` in on `client`; the session's CSRF token."""
    return sign_in(client, email)
