"""Correction requests: the subject's field set right, the old value not kept.

Clauses: rights.access (correction offered by the export),
rights.access.verification (only a verified subject's own fields change).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.rights.conftest import Sink
from tests.rights.test_export import build_world, verified_case
from tutela.config import Settings
from tutela.errors import Conflict, Forbidden, InvalidInput
from tutela.mail import deliver
from tutela.rights.correction import correct_case
from tutela.rights.intake import open_request
from tutela.store.db import Store
from tutela.store.models import AuditEntry, Holding, Person, SarCase

NEW_EMAIL = "ann.corrected@example.com"


def correction_case(store: Store, settings: Settings, email: str) -> int:
    """A correction request for `email`, verified as by an e-mail code."""
    ref = open_request(
        store, email=email, settings=settings, channel="api", kind="correction"
    )
    with store.session() as s:
        case = s.scalars(select(SarCase).where(SarCase.ref == ref)).one()
        case.state = "verified"
        case.verification_method = "email_code"
        # As by a code to an address on file since before the possession period.
        case.verification_level = "high"
        return int(case.id)


@pytest.mark.clause("rights.access")
def test_a_correction_overwrites_the_field_and_keeps_no_old_value(
    store: Store, mail_settings: Settings, sink: Sink
) -> None:
    world = build_world(store, mail_settings)
    case_id = correction_case(store, mail_settings, "ann@example.com")
    view = correct_case(
        store,
        case_id,
        changes={"email": NEW_EMAIL, "city": "Oakland"},
        actor="staff:1",
        settings=mail_settings,
    )
    assert view.state == "fulfilled"
    assert view.outcome == {
        "corrections": [
            {
                "person_id": world.ann,
                "field": "city",
                "changed": True,
                "old_value": "overwritten, not kept",
            },
            {
                "person_id": world.ann,
                "field": "email",
                "changed": True,
                "old_value": "ended now; kept only as the record of when it was held",
            },
        ]
    }
    with store.session() as s:
        ann = s.get(Person, world.ann)
        assert ann is not None and ann.email == NEW_EMAIL and ann.city == "Oakland"
        held = {
            h.email: h
            for h in s.scalars(
                select(Holding).where(
                    Holding.person_id == world.ann, Holding.kind == "email"
                )
            )
        }
        assert set(held) == {NEW_EMAIL, "ann@example.com"}
        # The old address ended now; the new one is held from now, unproven.
        assert held["ann@example.com"].valid_to is not None
        assert held[NEW_EMAIL].valid_to is None
        assert held[NEW_EMAIL].origin == "correction"
        details = [json.loads(e.details) for e in s.scalars(select(AuditEntry))]
    assert not any(
        NEW_EMAIL in json.dumps(d) or "Oakland" in json.dumps(d) for d in details
    )
    deliver(store, mail_settings)
    (answer,) = [m for m in sink.received if "correction" in str(m[1]["Subject"])]
    assert "Corrected: city, email" in answer[1].get_content()


@pytest.mark.clause("rights.access.verification")
def test_a_verified_requester_cannot_correct_someone_else(
    store: Store, mail_settings: Settings
) -> None:
    world = build_world(store, mail_settings)
    case_id = correction_case(store, mail_settings, "bob@example.com")
    with pytest.raises(Forbidden):
        correct_case(
            store,
            case_id,
            changes={"name": "Mallory"},
            person_id=world.ann,
            actor="staff:1",
            settings=mail_settings,
        )
    with store.session() as s:
        ann = s.get(Person, world.ann)
        assert ann is not None and ann.name == "Ann Example"


@pytest.mark.clause("rights.access.verification")
def test_an_unverified_or_access_case_corrects_nothing(
    store: Store, mail_settings: Settings
) -> None:
    world = build_world(store, mail_settings)
    access = verified_case(store, mail_settings, "ann@example.com")
    with pytest.raises(Conflict, match="not a correction"):
        correct_case(
            store,
            access,
            changes={"name": "X Y"},
            actor="staff:1",
            settings=mail_settings,
        )
    case_id = correction_case(store, mail_settings, "ann@example.com")
    with store.session() as s:
        case = s.get(SarCase, case_id)
        assert case is not None
        case.state = "verifying"
    with pytest.raises(Conflict, match="only a verified request"):
        correct_case(
            store,
            case_id,
            changes={"name": "X Y"},
            actor="staff:1",
            settings=mail_settings,
        )
    with store.session() as s:
        ann = s.get(Person, world.ann)
        assert ann is not None and ann.name == "Ann Example"


def test_a_bad_corrected_value_is_refused_and_changes_nothing(
    store: Store, mail_settings: Settings
) -> None:
    world = build_world(store, mail_settings)
    case_id = correction_case(store, mail_settings, "ann@example.com")
    for changes in ({"phone": "not a number"}, {"email": "nope"}, {"password": "x"}):
        with pytest.raises(InvalidInput):
            correct_case(
                store, case_id, changes=changes, actor="staff:1", settings=mail_settings
            )
    with store.session() as s:
        ann = s.get(Person, world.ann)
        assert ann is not None and ann.email == "ann@example.com"
        case = s.get(SarCase, case_id)
        assert case is not None and case.state == "verified"
