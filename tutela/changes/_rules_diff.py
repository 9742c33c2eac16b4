"""Diff of where information may go, what is forbidden, and the procedures.

Clauses: changes.may_change, changes.notice. Jurisdictions of recipients,
prohibitions (matched by id), the access-request procedure, the change
procedure and the contact address; see `tutela.changes.diff` for what makes
a change material.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tutela.changes._change import Change, ChangeKind, listed
from tutela.policy import AccessRequest, ChangeProcedure, Policy

_LOCATION_WORDS = {
    "US": "the United States",
    "CA": "Canada",
    "OTHER": "other countries",
}
# How much of the other party's number an access export shows, least first.
_COUNTERPART_RANK = {"omit": 0, "mask_last_4": 1, "full": 2}


def jurisdiction_changes(old: Policy, new: Policy) -> list[Change]:
    was, now = old.meaning.jurisdictions, new.meaning.jurisdictions
    org = new.short_name
    changes: list[Change] = []
    for location in sorted(set(now.recipient_locations) - set(was.recipient_locations)):
        changes.append(
            Change(
                ChangeKind.jurisdiction_added,
                location,
                f"Recipients of personal information may now be located in "
                f"{_LOCATION_WORDS[location]}.",
                material=True,
            )
        )
    for location in sorted(set(was.recipient_locations) - set(now.recipient_locations)):
        changes.append(
            Change(
                ChangeKind.jurisdiction_removed,
                location,
                f"Recipients of personal information are no longer located in "
                f"{_LOCATION_WORDS[location]}.",
                material=False,
            )
        )
    if was.record_cross_border != now.record_cross_border:
        changes.append(
            Change(
                ChangeKind.cross_border_records_changed,
                "jurisdictions",
                f"{org} {'now records' if now.record_cross_border else 'no longer records'}"
                " whether a disclosure crosses borders.",
                material=not now.record_cross_border,
            )
        )
    return changes


def prohibition_changes(old: Policy, new: Policy) -> list[Change]:
    before = {p.id: p for p in old.meaning.prohibitions}
    after = {p.id: p for p in new.meaning.prohibitions}
    org = new.short_name
    changes: list[Change] = []
    for prohibition_id, rule in before.items():
        if prohibition_id not in after:
            changes.append(
                Change(
                    ChangeKind.prohibition_removed,
                    prohibition_id,
                    f"{org} no longer promises: {rule.rule} ({prohibition_id}).",
                    material=True,
                )
            )
            continue
        now = after[prohibition_id]
        lost: list[str] = []
        gained: list[str] = []
        for name, was_items, now_items in (
            (
                "forbidden disclosure purposes",
                rule.forbidden_disclosure_purposes,
                now.forbidden_disclosure_purposes,
            ),
            (
                "unlinkable categories",
                rule.unlinkable_categories,
                now.unlinkable_categories,
            ),
            ("account kinds", rule.account_kinds, now.account_kinds),
        ):
            if set(was_items) - set(now_items):
                lost.append(
                    f"{listed(set(was_items) - set(now_items))} dropped from {name}"
                )
            if set(now_items) - set(was_items):
                gained.append(
                    f"{listed(set(now_items) - set(was_items))} added to {name}"
                )
        if lost:
            changes.append(
                Change(
                    ChangeKind.prohibition_weakened,
                    prohibition_id,
                    f"The promise “{now.rule}” now covers less: {'; '.join(lost)}.",
                    material=True,
                )
            )
        if gained:
            changes.append(
                Change(
                    ChangeKind.prohibition_strengthened,
                    prohibition_id,
                    f"The promise “{now.rule}” now covers more: {'; '.join(gained)}.",
                    material=False,
                )
            )
        if (rule.rule, rule.clause) != (now.rule, now.clause):
            changes.append(
                Change(
                    ChangeKind.prohibition_changed,
                    prohibition_id,
                    f"A promise is now worded: {now.rule} ({prohibition_id}).",
                    material=False,
                )
            )
    for prohibition_id, rule in after.items():
        if prohibition_id not in before:
            changes.append(
                Change(
                    ChangeKind.prohibition_added,
                    prohibition_id,
                    f"{org} now also promises: {rule.rule} ({prohibition_id}).",
                    material=False,
                )
            )
    return changes


# For each procedure field compared: does a change from `was` to `now` lessen
# what a person can count on (and so deserve notice as material)?
_Rule = Callable[[Any, Any], bool]
_ACCESS_RULES: dict[str, _Rule] = {
    # Where and how a request is sent: people must learn the new way.
    "address": lambda _was, _now: True,
    "heading": lambda _was, _now: True,
    "verification": lambda was, now: was == "required" and now == "optional",
    "fee": lambda was, now: was == "never" and now == "allowed",
    "rejection_grounds": lambda was, now: bool(set(now) - set(was)),
    "counterpart_numbers": lambda was, now: (
        _COUNTERPART_RANK[str(now)] > _COUNTERPART_RANK[str(was)]
    ),
}
_CHANGE_RULES: dict[str, _Rule] = {
    "address": lambda _was, _now: True,
    "heading": lambda _was, _now: True,
    "notice": lambda _was, _now: True,
    # Taking effect on publication means taking effect before any notice.
    "effective_on_publication": lambda was, now: bool(now) and not was,
}


def procedure_changes(old: Policy, new: Policy) -> list[Change]:
    was, now = old.meaning, new.meaning
    changes = [
        *_procedure(
            was.access_request,
            now.access_request,
            _ACCESS_RULES,
            ChangeKind.access_request_changed,
            "access_request",
            "How to request access to personal information",
        ),
        *_procedure(
            was.change_procedure,
            now.change_procedure,
            _CHANGE_RULES,
            ChangeKind.change_procedure_changed,
            "change_procedure",
            "How policy changes are made and announced",
        ),
    ]
    if was.contact.address != now.contact.address:
        changes.append(
            Change(
                ChangeKind.contact_changed,
                "contact",
                f"Questions about the policy now go to {now.contact.address}.",
                material=False,
            )
        )
    return changes


def _procedure(
    was: AccessRequest | ChangeProcedure,
    now: AccessRequest | ChangeProcedure,
    rules: dict[str, _Rule],
    kind: ChangeKind,
    subject: str,
    what: str,
) -> list[Change]:
    changed = [name for name in rules if getattr(was, name) != getattr(now, name)]
    if not changed:
        return []
    parts = [
        f"{name.replace('_', ' ')} is now {_shown(getattr(now, name))}"
        for name in changed
    ]
    lessened = any(
        rules[name](getattr(was, name), getattr(now, name)) for name in changed
    )
    return [
        Change(kind, subject, f"{what} changed: {'; '.join(parts)}.", material=lessened)
    ]


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return listed(str(v) for v in value) or "none"
    return f"“{value}”"
