"""May this recipient receive these categories about these people, for this purpose?

Clauses: disclose.no_third_party_marketing (never for a third party's own
marketing), disclose.processors and disclose.processors.payment (processors
only for the processing they do: the payment vendor gets payment data to
collect payment), disclose.legal_obligation (only with the subpoena or order
number and the issuing authority), disclose.affiliates (subsidiary, parent,
sibling; for the policy's own purposes), disclose.business_transfer (the
purchaser, with the transaction reference), disclose.jurisdictions (US,
Canada or other countries), scope.web_unlinked (website and ad data are about
nobody, so they are never disclosed about a person).

`check_disclosure` is pure: it reads the policy and the request, nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from tutela.access.actors import Actor
from tutela.access.roles import Duty, has_duty, purposes_for
from tutela.policy import Policy, Recipient, RecipientKind

LEGAL_OBLIGATION: Final = "legal_obligation"
BUSINESS_TRANSFER: Final = "business_transfer"
NO_MARKETING: Final = "disclose.no_third_party_marketing"
_COUNTRY = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class DisclosureRequest:
    recipient: str
    subjects: tuple[int, ...]
    categories: tuple[str, ...]
    purpose: str
    country: str
    reference: str | None = None
    authority: str | None = None


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str
    clause: str | None
    kind: RecipientKind | None = None


def jurisdiction_of(country: str) -> str:
    """ISO country (or subdivision like 'US-CA') -> the policy's US, CA or OTHER."""
    code = country.upper()[:2]
    return code if code in ("US", "CA") else "OTHER"


def crosses_border(subject_jurisdiction: str, recipient_country: str) -> bool:
    """True when the recipient is not in the country where the subject's data was collected."""
    return subject_jurisdiction.upper()[:2] != recipient_country.upper()[:2]


def check_disclosure(
    policy: Policy, actor: Actor, request: DisclosureRequest
) -> Verdict:
    """The first rule the request breaks, or an allowed verdict naming the clause."""
    forbidden = {
        p
        for prohibition in policy.meaning.prohibitions
        for p in prohibition.forbidden_disclosure_purposes
    }
    if request.purpose in forbidden or "marketing" in request.purpose:
        return Verdict(False, "never for a third party's own marketing", NO_MARKETING)
    recipient = _recipient(policy, request.recipient)
    if recipient is None:
        return Verdict(False, "the policy names no such recipient", "disclose.also")
    kind = recipient.kind
    clause = recipient.clauses[-1]
    if not _may_disclose(policy, actor, recipient, request.purpose):
        return Verdict(
            False, f"role {actor.role} may not make this disclosure", clause, kind
        )
    if not request.subjects:
        return Verdict(False, "a disclosure names at least one subject", clause, kind)
    if not _COUNTRY.fullmatch(request.country.upper()[:2]) or (
        jurisdiction_of(request.country)
        not in policy.meaning.jurisdictions.recipient_locations
    ):
        return Verdict(
            False,
            "the recipient's country must be an ISO code",
            "disclose.jurisdictions",
            kind,
        )
    problem = _category_problem(policy, recipient, request)
    if problem is not None:
        return problem
    return _kind_rules(policy, recipient, request)


def _recipient(policy: Policy, recipient_id: str) -> Recipient | None:
    try:
        return policy.recipient(recipient_id)
    except KeyError:
        return None


def _may_disclose(
    policy: Policy, actor: Actor, recipient: Recipient, purpose: str
) -> bool:
    if has_duty(actor.role, Duty.disclose_any):
        return True
    return (
        recipient.kind is RecipientKind.processor
        and has_duty(actor.role, Duty.disclose_to_processors)
        and purpose in purposes_for(actor.role, actor.job, policy=policy)
    )


def _category_problem(
    policy: Policy, recipient: Recipient, request: DisclosureRequest
) -> Verdict | None:
    kind = recipient.kind
    if not request.categories:
        return Verdict(
            False, "a disclosure names its categories", recipient.clauses[-1], kind
        )
    declared = {c.id: c for c in policy.meaning.categories}
    for category in request.categories:
        found = declared.get(category)
        if found is None:
            return Verdict(False, f"{category!r} is not a policy category", None, kind)
        if not found.linkable:
            return Verdict(
                False,
                f"{category} is not associated with any person",
                "scope.web_unlinked",
                kind,
            )
        if recipient.categories != "all" and category not in recipient.categories:
            return Verdict(
                False,
                f"{recipient.id} does not receive {category}",
                recipient.clauses[-1],
                kind,
            )
    return None


def _kind_rules(
    policy: Policy, recipient: Recipient, request: DisclosureRequest
) -> Verdict:
    kind = recipient.kind
    clause = recipient.clauses[-1]
    purposes = {p.id: set(p.categories) for p in policy.meaning.purposes}
    if kind is RecipientKind.processor:
        if request.purpose not in (recipient.purposes or []):
            return Verdict(
                False,
                f"{recipient.id} processes only for {sorted(recipient.purposes or [])}",
                clause,
                kind,
            )
    elif kind is RecipientKind.legal_obligation:
        if request.purpose != LEGAL_OBLIGATION:
            return Verdict(False, f"purpose must be {LEGAL_OBLIGATION!r}", clause, kind)
    elif kind is RecipientKind.business_transfer:
        if request.purpose != BUSINESS_TRANSFER:
            return Verdict(
                False, f"purpose must be {BUSINESS_TRANSFER!r}", clause, kind
            )
    elif request.purpose not in purposes:
        return Verdict(
            False,
            "an affiliate receives data only for a purpose of the policy",
            clause,
            kind,
        )
    if request.purpose in purposes:
        outside = sorted(set(request.categories) - purposes[request.purpose])
        if outside:
            return Verdict(
                False,
                f"purpose {request.purpose} does not use {outside[0]}",
                clause,
                kind,
            )
    for need in recipient.requires:
        value = request.authority if need == "issuing_authority" else request.reference
        if not (value and value.strip()):
            return Verdict(
                False, f"a {need.replace('_', ' ')} is required", clause, kind
            )
    return Verdict(True, "allowed", clause, kind)
