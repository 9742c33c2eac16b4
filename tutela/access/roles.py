"""Roles: which purposes an actor may invoke and which duties it may perform.

Clauses: use.purposes (each purpose of "How does Jive use the information it
collects?" is invoked only by the roles whose work it is), secure.measures
(least privilege is one of the "range of measures"), rights.access (the
privacy officer and the SAR export job read a subject's data for
`subject_access`).

The policy says *what* each purpose may use; this table says *who* may invoke
each purpose. The list of purposes is the policy's own: the privacy officer
may invoke every purpose the loaded policy declares, and a grant below that
names a purpose the policy does not declare grants nothing (and fails
`tutela policy check`, see `undeclared_grants`). A customer's own people
(customer admins and end users) are further limited to their own account
(and end users to their own person) by `tutela.access`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from tutela.policy import Policy


class Role(StrEnum):
    privacy_officer = "privacy_officer"
    support_agent = "support_agent"
    billing = "billing"
    engineering = "engineering"
    auditor = "auditor"
    customer_admin = "customer_admin"
    end_user = "end_user"
    system = "system"


class Duty(StrEnum):
    """Things that are not reads of personal data but still need a role."""

    read_audit = "read_audit"
    read_ledger = "read_ledger"
    disclose_any = "disclose_any"
    disclose_to_processors = "disclose_to_processors"
    administer = "administer"


SUBJECT_ACCESS: Final = "subject_access"
"""Pseudo-purpose of rights.access: a subject's own data, every linkable category."""

EVERY_PURPOSE_ROLES: Final = frozenset({Role.privacy_officer})
"""Roles that may invoke every purpose the loaded policy declares."""

ROLE_PURPOSES: Final[Mapping[Role, frozenset[str]]] = MappingProxyType(
    {
        # And every purpose of the policy (EVERY_PURPOSE_ROLES).
        Role.privacy_officer: frozenset({SUBJECT_ACCESS}),
        Role.support_agent: frozenset({"respond_to_requests", "deliver_services"}),
        Role.billing: frozenset({"collect_payment", "communicate"}),
        Role.engineering: frozenset(
            {"improve_services", "deliver_services", "improve_websites_and_ads"}
        ),
        Role.auditor: frozenset(),
        Role.customer_admin: frozenset(
            {"deliver_services", "respond_to_requests", "customize_services"}
        ),
        Role.end_user: frozenset(
            {"deliver_services", "respond_to_requests", "customize_services"}
        ),
        # A system actor's purposes come from its job, never from the role.
        Role.system: frozenset(),
    }
)

SYSTEM_JOBS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "billing_run": frozenset({"collect_payment"}),
        "call_routing": frozenset({"deliver_services"}),
        "change_notices": frozenset({"notify_service_changes"}),
        # The inbound write path (`tutela.collect`): is this number, account
        # ref or dedupe key taken, which account owns this number, to store
        # what the service runs on (accounts, numbers, porting, calls,
        # voicemail, recordings).
        "collect": frozenset({"deliver_services"}),
        "quality_analysis": frozenset({"improve_services"}),
        # The former-customer sweep finds what a closed account still holds
        # (kept to deliver the service, now to be deleted).
        "retention": frozenset({"deliver_services"}),
        "sar_export": frozenset({SUBJECT_ACCESS}),
        # Erasure and correction find the subject's rows they change.
        "subject_rights": frozenset({SUBJECT_ACCESS}),
        "support_inbox": frozenset({"respond_to_requests"}),
        "voicemail_sync": frozenset({"deliver_services"}),
        "web_analytics": frozenset({"improve_websites_and_ads"}),
    }
)

ROLE_DUTIES: Final[Mapping[Role, frozenset[Duty]]] = MappingProxyType(
    {
        Role.privacy_officer: frozenset(
            {Duty.read_audit, Duty.read_ledger, Duty.disclose_any, Duty.administer}
        ),
        Role.billing: frozenset({Duty.disclose_to_processors}),
        Role.auditor: frozenset({Duty.read_audit, Duty.read_ledger}),
        Role.system: frozenset({Duty.disclose_to_processors}),
    }
)

CUSTOMER_ROLES: Final = frozenset({Role.customer_admin, Role.end_user})


def declared_purposes(policy: Policy) -> frozenset[str]:
    """The purposes `policy` declares, and the pseudo-purpose `subject_access`."""
    return frozenset(p.id for p in policy.meaning.purposes) | {SUBJECT_ACCESS}


def purposes_for(
    role: Role, job: str | None = None, *, policy: Policy
) -> frozenset[str]:
    """The purposes of `policy` a role (or, for `system`, a named job) may invoke."""
    declared = declared_purposes(policy)
    if role is Role.system:
        return SYSTEM_JOBS.get(job or "", frozenset()) & declared
    if role in EVERY_PURPOSE_ROLES:
        return declared
    return ROLE_PURPOSES[role] & declared


def undeclared_grants(policy: Policy) -> list[str]:
    """A problem for each role or job granted a purpose `policy` does not declare."""
    declared = declared_purposes(policy)
    grants = [(f"role {role}", p) for role, ps in ROLE_PURPOSES.items() for p in ps]
    grants += [(f"system job {job}", p) for job, ps in SYSTEM_JOBS.items() for p in ps]
    return [
        f"{who} is granted purpose {purpose!r}, which the policy does not declare"
        for who, purpose in sorted(grants)
        if purpose not in declared
    ]


def has_duty(role: Role, duty: Duty) -> bool:
    return duty in ROLE_DUTIES.get(role, frozenset())
