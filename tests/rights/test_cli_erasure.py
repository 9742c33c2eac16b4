"""`tutela sar erase|correct` on the command line: a signed-in officer, one JSON document.

Clauses: rights.access, rights.access.verification.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select

from tests.cli_runner import tutela as run_tutela
from tests.factories import add_staff, staff_env
from tests.rights.test_export import build_world
from tutela.config import Settings
from tutela.rights.intake import open_request
from tutela.store.db import Store
from tutela.store.models import Person, SarCase


def tutela(env: dict[str, str], *args: str) -> tuple[int, Any]:
    done = run_tutela(*args, "--json", env=env, clean_env=True)
    return done.returncode, json.loads(done.stdout) if done.stdout else None


def verified(store: Store, settings: Settings, email: str, kind: str) -> int:
    ref = open_request(store, email=email, settings=settings, channel="api", kind=kind)
    with store.session() as s:
        case = s.scalars(select(SarCase).where(SarCase.ref == ref)).one()
        case.state = "verified"
        case.verification_method = "email_code"
        case.verification_level = "high"  # as by a code to an address long on file
        return int(case.id)


def cooled_off(store: Store, case_id: int) -> None:
    """The cooling-off period has passed: the CLI runs on the wall clock, so the
    schedule moves back instead (the period itself is the default)."""
    with store.session() as s:
        case = s.get(SarCase, case_id)
        assert case is not None and case.erase_after is not None
        case.erase_after = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)


@pytest.mark.clause("rights.access")
def test_erase_and_correct_from_the_command_line(
    store: Store, settings: Settings
) -> None:
    world = build_world(store, settings)
    env = staff_env(settings, add_staff(store))
    fix = verified(store, settings, "bob@example.com", "correction")
    code, out = tutela(env, "sar", "correct", str(fix), "--set", "city=Reno")
    assert code == 0 and out["case"]["state"] == "fulfilled"
    assert out["case"]["outcome"]["corrections"][0]["field"] == "city"
    code, out = tutela(env, "sar", "correct", str(fix), "--set", "no-equals-sign")
    assert code == 2 and out["ok"] is False

    case_id = verified(store, settings, "ann@example.com", "erasure")
    code, out = tutela(env, "sar", "erase", str(case_id))
    assert code == 0 and out["case"]["state"] == "verified"
    assert out["case"]["erase_after"] is not None  # announced, not yet erased
    code, early = tutela(env, "sar", "erase", str(case_id))
    assert code != 0 and "runs no earlier than" in early["error"]
    cooled_off(store, case_id)
    code, out = tutela(env, "sar", "erase", str(case_id))
    assert code == 0 and out["case"]["kind"] == "erasure"
    assert out["case"]["outcome"]["categories"]["communications"]["erased"] is True
    code, again = tutela(env, "sar", "erase", str(case_id))
    assert code != 0 and again["ok"] is False and "fulfilled" in again["error"]
    with store.session() as s:
        assert s.get(Person, world.ann) is None
        bob = s.get(Person, world.bob)
        assert bob is not None and bob.city == "Reno"


def test_erasing_needs_a_signed_in_privacy_officer(
    store: Store, settings: Settings
) -> None:
    world = build_world(store, settings)
    case_id = verified(store, settings, "ann@example.com", "erasure")
    support = staff_env(settings, add_staff(store, "support_agent"))
    code, out = tutela(support, "sar", "erase", str(case_id))
    assert code != 0 and out["ok"] is False
    with store.session() as s:
        assert s.get(Person, world.ann) is not None


def test_a_case_is_named_by_its_id_or_the_reference_its_mail_leads_with(
    store: Store, settings: Settings
) -> None:
    env = staff_env(settings, add_staff(store))
    ref = open_request(store, email="ann@example.com", settings=settings)
    with store.session() as s:
        case_id = s.scalars(select(SarCase.id).where(SarCase.ref == ref)).one()
    code, by_id = tutela(env, "sar", "show", str(case_id))
    assert code == 0 and by_id["case"]["ref"] == ref
    code, by_ref = tutela(env, "sar", "show", ref.lower())
    assert code == 0 and by_ref["case"]["id"] == case_id
    code, unknown = tutela(env, "sar", "show", "SAR-00000000")
    assert code == 2 and "no case SAR-00000000" in unknown["error"]
    # Free text is never echoed back.
    code, odd = tutela(env, "sar", "show", "<b>ann@example.com</b>")
    assert code == 2 and "ann@example.com" not in odd["error"]
    code, bogus = tutela(env, "sar", "list", "--state", "bogus")
    assert code == 2 and "unknown state" in bogus["error"]
    assert "verifying" in bogus["error"]
