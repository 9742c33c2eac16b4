"""Who may open which console page: every route x every role, and the anonymous visitor.

Clauses: use.purposes (case work is the privacy officer's alone; oversight
pages are the privacy officer's and the auditor's), secure.measures
(anonymous visitors are sent to sign in; customers never reach the console).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.web.console_world import OFFICER, ann_asks, sign_in, staff_and_ann
from tests.web.live import app_client
from tests.web.portal_world import PASSWORD
from tutela.auth.signin import add_user
from tutela.config import Settings
from tutela.store.db import Store

pytestmark = pytest.mark.clause("use.purposes")

OFFICER_ONLY = {"privacy_officer"}
OVERSIGHT = {"privacy_officer", "auditor"}
# path (with {case} for the case id) -> the roles that may open it
PAGES: dict[str, set[str]] = {
    "/console/sar": OFFICER_ONLY,
    "/console/sar/{case}": OFFICER_ONLY,
    "/console/inbox": OFFICER_ONLY,
    "/console/subscriptions": OFFICER_ONLY,
    "/console/users": OFFICER_ONLY,
    "/console/audit": OVERSIGHT,
    "/console/audit/entries": OVERSIGHT,
    "/console/ledger": OVERSIGHT,
    "/console/datamap": OVERSIGHT,
    "/console/ingest": OVERSIGHT,
}
POSTS: dict[str, dict[str, str]] = {
    "/console/sar/{case}/assign": {"to": "me"},
    "/console/sar/{case}/extend": {"reason": "the recordings take longer to collect"},
    "/console/users": {"email": "new@staff.test", "role": "auditor"},
}
ROLES = {
    "privacy_officer": OFFICER,
    "auditor": "auditor@staff.test",
    "support_agent": "support@staff.test",
    "billing": "billing@staff.test",
    "engineering": "engineering@staff.test",
    "customer_admin": "admin@acme.test",
}


@pytest.fixture
def world(store: Store, settings: Settings) -> Iterator[tuple[TestClient, int]]:
    staffed = staff_and_ann(store)
    add_user(
        store,
        email="admin@acme.test",
        role="customer_admin",
        person_id=staffed.ann_person,
        password=PASSWORD,
    )
    case_id = ann_asks(store, settings)
    with app_client(settings) as client:
        yield client, case_id


def test_anonymous_visitors_are_sent_to_sign_in_everywhere(
    world: tuple[TestClient, int],
) -> None:
    client, case_id = world
    for template in [*PAGES, *POSTS]:
        path = template.format(case=case_id)
        answer = (
            client.post(path, data={"csrf": "x"}, follow_redirects=False)
            if template in POSTS
            else client.get(path, follow_redirects=False)
        )
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login"), path


@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_opens_exactly_its_pages(
    world: tuple[TestClient, int], role: str
) -> None:
    client, case_id = world
    csrf = sign_in(client, ROLES[role])
    for template, allowed in PAGES.items():
        path = template.format(case=case_id)
        status = client.get(path, follow_redirects=False).status_code
        assert status == (200 if role in allowed else 403), (path, role, status)
    for template, form in POSTS.items():
        path = template.format(case=case_id)
        answer = client.post(path, data={"csrf": csrf, **form}, follow_redirects=False)
        if role in OFFICER_ONLY:
            assert answer.status_code in (200, 303), (path, answer.text[:300])
        else:
            assert answer.status_code == 403, (path, role)
