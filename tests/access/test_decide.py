"""The pure policy decision, checked against the shipped policy."""

from __future__ import annotations

import pytest

from tutela.access import Actor, decide
from tutela.access.roles import ROLE_PURPOSES, SYSTEM_JOBS, Role
from tutela.errors import InvalidInput
from tutela.policy.loader import DEFAULT_POLICY, load_policy
from tutela.policy.model import Policy


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(DEFAULT_POLICY)


@pytest.mark.clause("use.purposes")
@pytest.mark.parametrize(
    "purpose_id",
    [
        pytest.param(
            "communicate", marks=pytest.mark.clause("use.purposes.communicate")
        ),
        pytest.param(
            "deliver_services",
            marks=pytest.mark.clause("use.purposes.deliver_services"),
        ),
        pytest.param(
            "respond_to_requests",
            marks=pytest.mark.clause("use.purposes.respond_to_requests"),
        ),
        pytest.param(
            "collect_payment", marks=pytest.mark.clause("use.purposes.collect_payment")
        ),
        pytest.param(
            "customize_services",
            marks=pytest.mark.clause("use.purposes.customize_services"),
        ),
        pytest.param(
            "improve_services",
            marks=pytest.mark.clause("use.purposes.improve_services"),
        ),
        pytest.param(
            "notify_service_changes",
            marks=pytest.mark.clause("use.purposes.notify_service_changes"),
        ),
        pytest.param(
            "improve_websites_and_ads",
            marks=pytest.mark.clause("use.purposes.improve_websites_and_ads"),
        ),
    ],
)
def test_a_purpose_reaches_exactly_its_policy_categories(
    policy: Policy, purpose_id: str
) -> None:
    officer = Actor.staff(1, Role.privacy_officer)
    purpose = policy.purpose(purpose_id)
    for category in policy.category_ids():
        allowed = decide(policy, officer, purpose.id, [category]).allowed
        assert allowed == (category in purpose.categories), (purpose.id, category)


def test_the_purpose_cases_above_cover_every_policy_purpose(policy: Policy) -> None:
    listed = {
        "communicate",
        "deliver_services",
        "respond_to_requests",
        "collect_payment",
        "customize_services",
        "improve_services",
        "notify_service_changes",
        "improve_websites_and_ads",
    }
    assert {p.id for p in policy.meaning.purposes} == listed


@pytest.mark.clause("use.purposes.improve_websites_and_ads")
def test_improving_websites_and_ads_never_reaches_call_records(policy: Policy) -> None:
    decision = decide(
        policy, Role.engineering, "improve_websites_and_ads", ["call_records"]
    )
    assert not decision.allowed
    assert decision.denied_category == "call_records"
    assert decision.clause == "use.purposes.improve_websites_and_ads"


@pytest.mark.clause("scope.web_unlinked")
def test_subject_access_reaches_everything_linkable_and_no_web_data(
    policy: Policy,
) -> None:
    officer = Actor.staff(1, Role.privacy_officer)
    linkable = [c.id for c in policy.meaning.categories if c.linkable]
    assert decide(policy, officer, "subject_access", linkable).allowed
    for category in ("web_activity", "ad_clicks"):
        assert not decide(policy, officer, "subject_access", [category]).allowed


@pytest.mark.clause("collect.requested")
def test_card_security_code_is_refused_for_every_purpose(policy: Policy) -> None:
    officer = Actor.staff(1, Role.privacy_officer)
    for purpose in [*(p.id for p in policy.meaning.purposes), "subject_access"]:
        decision = decide(
            policy, officer, purpose, [], fields=[("payment", "card_security_code")]
        )
        assert not decision.allowed and "never stored" in decision.reason


def test_unknown_purposes_are_refused(policy: Policy) -> None:
    decision = decide(policy, Role.privacy_officer, "sell_to_brokers", [])
    assert not decision.allowed and decision.reason == "not a purpose of the policy"


def test_auditors_may_invoke_no_purpose(policy: Policy) -> None:
    for purpose in policy.meaning.purposes:
        assert not decide(policy, Role.auditor, purpose.id, []).allowed


def test_every_role_purpose_is_a_policy_purpose(policy: Policy) -> None:
    known = {p.id for p in policy.meaning.purposes} | {"subject_access"}
    for purposes in [*ROLE_PURPOSES.values(), *SYSTEM_JOBS.values()]:
        assert purposes <= known


def test_system_jobs_may_invoke_only_their_own_purpose(policy: Policy) -> None:
    job = Actor.system("billing_run")
    assert decide(policy, job, "collect_payment", ["payment"]).allowed
    assert not decide(policy, job, "improve_services", []).allowed


def test_decisions_are_memoised(policy: Policy) -> None:
    first = decide(policy, Role.billing, "collect_payment", ["payment"])
    assert decide(policy, Role.billing, "collect_payment", {"payment"}) is first


def test_actor_ids_are_surrogates_never_addresses() -> None:
    with pytest.raises(InvalidInput):
        Actor("alice@example.test", Role.support_agent)
    with pytest.raises(InvalidInput):
        Actor("user:3", Role.end_user, account_id=1)
    with pytest.raises(InvalidInput):
        Actor.system("mine_everything")
