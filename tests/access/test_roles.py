"""Roles invoke the purposes the policy declares, and only those.

Clause: use.purposes (each purpose is invoked only by the roles whose work
it is; the list of purposes is the policy's own).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tests.changes.policies import PolicyData, load_variant, purpose
from tutela.access.roles import (
    SUBJECT_ACCESS,
    SYSTEM_JOBS,
    Role,
    purposes_for,
    undeclared_grants,
)
from tutela.policy.loader import DEFAULT_POLICY, load_policy

SHIPPED = load_policy(DEFAULT_POLICY)


def add_newsletter_purpose(data: PolicyData) -> None:
    newsletters = copy.deepcopy(purpose(data, "communicate"))
    newsletters["id"] = "send_newsletters"
    data["meaning"]["purposes"].append(newsletters)


def drop_customize_services(data: PolicyData) -> None:
    data["meaning"]["purposes"].remove(purpose(data, "customize_services"))


@pytest.mark.clause("use.purposes")
def test_the_privacy_officer_may_invoke_every_purpose_the_policy_declares(
    tmp_path: Path,
) -> None:
    declared = {p.id for p in SHIPPED.meaning.purposes}
    assert purposes_for(Role.privacy_officer, policy=SHIPPED) == declared | {
        SUBJECT_ACCESS
    }
    widened = load_variant(tmp_path, add_newsletter_purpose)
    assert "send_newsletters" in purposes_for(Role.privacy_officer, policy=widened)
    assert "send_newsletters" not in purposes_for(Role.billing, policy=widened)


@pytest.mark.clause("use.purposes")
def test_a_purpose_the_policy_drops_is_granted_to_no_one(tmp_path: Path) -> None:
    narrowed = load_variant(tmp_path, drop_customize_services)
    for role in Role:
        assert "customize_services" not in purposes_for(role, policy=narrowed)
    assert "customize_services" in purposes_for(Role.end_user, policy=SHIPPED)
    for job in SYSTEM_JOBS:
        assert purposes_for(Role.system, job, policy=narrowed) <= purposes_for(
            Role.system, job, policy=SHIPPED
        )


def test_policy_check_names_each_grant_of_an_undeclared_purpose(
    tmp_path: Path,
) -> None:
    assert undeclared_grants(SHIPPED) == []
    narrowed = load_variant(tmp_path, drop_customize_services)
    assert undeclared_grants(narrowed) == [
        f"role {role} is granted purpose 'customize_services', which the policy "
        "does not declare"
        for role in ("customer_admin", "end_user")
    ]
