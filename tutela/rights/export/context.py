"""What GDPR Art. 15 asks to come with the data: purposes, categories, recipients.

Clauses: rights.access (the subject learns what is held, why, where it came
from, who received it and how long it is kept), disclose.jurisdictions and
disclose.jurisdictions.less_protective (recipients in another country are
marked, from the ledger's `crossed_border`), scope.web_unlinked (website
activity and ad clicks are explained, not linked: the store has no path from
a person to them, so there is nothing to look up).

Everything here comes from the policy file and the disclosure ledger
(`tutela.disclose.ledger_for_subject`, read as `system:sar_export`). An
export to the subject is not a disclosure to a third party, so it is not
written to the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tutela.disclose import ledger_for_subject
from tutela.policy import Policy
from tutela.rights.export.sections import EXPORT_ACTOR, Section
from tutela.store import Store

SOURCES = {
    "requested": "You or your business gave it to us when we asked for it.",
    "volunteered": "You gave it to us in a message, chat, call or ticket.",
    "service_use": "Our phone service recorded it when you used it.",
    "web_use": "Our websites recorded it when they were visited.",
}


def disclosures_section(store: Store, person_ids: Sequence[int]) -> Section:
    """Recipients of the subject's data from the ledger, with third countries."""
    cols: tuple[str, ...] = (
        "disclosed_at",
        "recipient",
        "recipient_kind",
        "recipient_country",
    )
    cols += ("recipient_jurisdiction", "third_country", "categories", "purpose")
    section = Section("disclosures", "disclosures", "Who received your data", cols)
    seen: set[int] = set()
    for person_id in person_ids:
        for entry in ledger_for_subject(store, person_id, actor=EXPORT_ACTOR):
            if not entry.allowed or entry.id in seen:
                continue  # a refused disclosure sent nothing
            seen.add(entry.id)
            crossed = any(
                s.crossed_border for s in entry.subjects if s.id in person_ids
            )
            section.rows.append(
                {
                    "disclosed_at": entry.at,
                    "recipient": entry.recipient,
                    "recipient_kind": entry.recipient_kind,
                    "recipient_country": entry.recipient_country,
                    "recipient_jurisdiction": entry.recipient_jurisdiction,
                    "third_country": crossed,
                    "categories": " ".join(entry.categories),
                    "purpose": entry.purpose,
                }
            )
    section.rows.sort(key=lambda r: str(r["disclosed_at"]))
    return section


def processing_context(policy: Policy, held: dict[str, int]) -> dict[str, Any]:
    """Per category: what it is, its source, purposes, recipients and retention."""
    meaning = policy.meaning
    categories: list[dict[str, Any]] = []
    for category in meaning.categories:
        if category.linkable is False or category.id == "rights_requests":
            continue
        purposes = [
            {"id": p.id, "description": policy.clause(p.clause).text}
            for p in meaning.purposes
            if category.id in p.categories
        ]
        recipients = [
            {"id": r.id, "kind": str(r.kind), "description": r.description}
            for r in meaning.recipients
            if r.categories == "all" or category.id in r.categories
        ]
        categories.append(
            {
                "id": category.id,
                "name": category.name,
                "source": str(category.source),
                "source_description": SOURCES.get(str(category.source), ""),
                "rows_held": held.get(category.id, 0),
                "purposes": purposes,
                "possible_recipients": recipients,
                "retention": {
                    "rule": str(category.retention.rule),
                    "days": category.retention.days,
                    "description": category.retention.description,
                },
            }
        )
    return {
        "controller": policy.organization,
        "policy": {"id": policy.id, "published": str(policy.published)},
        "contact": meaning.contact.address,
        "categories": categories,
        "recipient_countries": {
            "locations": list(meaning.jurisdictions.recipient_locations),
            "note": policy.clause("disclose.jurisdictions.less_protective").text,
        },
        "automated_decisions": "None: no decision about you is made by automated means alone.",
        "your_rights": [
            "You may ask us to correct inaccurate data or to delete data.",
            "You may object to or ask us to restrict some processing.",
            "You may complain to a data protection or privacy authority.",
        ],
        "this_export_is_not_a_disclosure": (
            "Sending this export to you is not a disclosure to a third party, "
            "so it does not appear in the disclosure ledger."
        ),
    }


def web_explanation(policy: Policy) -> dict[str, Any]:
    """Why website activity and ad clicks are not in the export (scope.web_unlinked)."""
    unlinked = [c for c in policy.meaning.categories if c.linkable is False]
    return {
        "linked": False,
        "clause": policy.clause("scope.web_unlinked").text,
        "categories": [
            {
                "id": c.id,
                "name": c.name,
                "retention": c.retention.description,
            }
            for c in unlinked
        ],
        "explanation": (
            "We record pages viewed on our websites and clicks on our ads only "
            "pseudonymously: the IP address is truncated, visitors are counted "
            "with a keyed daily hash whose key is destroyed, and these records "
            "have no link to any person or account. We therefore cannot find "
            "records about you, and none are included here. This is by design, "
            "not an omission."
        ),
    }
