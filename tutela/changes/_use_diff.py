"""Diff of what the policy uses information for, and who receives it.

Clauses: changes.may_change, changes.notice. Purposes (with the categories
each may use) and recipients (kind, categories, purposes, required
references) are matched by id. See `tutela.changes.diff` for what makes a
change material.
"""

from __future__ import annotations

from tutela.changes._category_diff import category_names
from tutela.changes._change import Change, ChangeKind, listed
from tutela.policy import Policy, Purpose, Recipient, RecipientKind

_KIND_WORDS = {
    RecipientKind.processor: "processor working on {org}’s behalf",
    RecipientKind.legal_obligation: "authority compelling disclosure by law",
    RecipientKind.affiliate: "affiliated company",
    RecipientKind.business_transfer: "purchaser in a business transfer",
}


# ---------------------------------------------------------------- purposes


def purpose_words(policy: Policy, purpose: Purpose) -> str:
    """The purpose as the policy states it: "to improve its services"."""
    try:
        text = policy.clause(purpose.clause).text
    except KeyError:
        return purpose.id
    for tail in ("; and", ";", ".", ","):
        text = text.removesuffix(tail)
    return text


def purpose_changes(old: Policy, new: Policy) -> list[Change]:
    before = {p.id: p for p in old.meaning.purposes}
    after = {p.id: p for p in new.meaning.purposes}
    org = new.short_name
    changes: list[Change] = []
    for purpose_id, purpose in after.items():
        label = f"“{purpose_words(new, purpose)}” ({purpose_id})"
        if purpose_id not in before:
            changes.append(
                Change(
                    ChangeKind.purpose_added,
                    purpose_id,
                    f"{org} may now use information for a new purpose, {label}, "
                    f"using {category_names(set(purpose.categories), new)}.",
                    material=True,
                )
            )
            continue
        was = before[purpose_id]
        added = set(purpose.categories) - set(was.categories)
        removed = set(was.categories) - set(purpose.categories)
        if added:
            changes.append(
                Change(
                    ChangeKind.purpose_widened,
                    purpose_id,
                    f"The purpose {label} may now also use "
                    f"{category_names(added, new, old)}.",
                    material=True,
                )
            )
        if removed:
            changes.append(
                Change(
                    ChangeKind.purpose_narrowed,
                    purpose_id,
                    f"The purpose {label} no longer uses "
                    f"{category_names(removed, new, old)}.",
                    material=False,
                )
            )
        if (was.clause, set(was.fides), set(was.dpv)) != (
            purpose.clause,
            set(purpose.fides),
            set(purpose.dpv),
        ):
            changes.append(
                Change(
                    ChangeKind.purpose_changed,
                    purpose_id,
                    f"The purpose {label} is worded or classified differently.",
                    material=False,
                )
            )
    for purpose_id, purpose in before.items():
        if purpose_id not in after:
            changes.append(
                Change(
                    ChangeKind.purpose_removed,
                    purpose_id,
                    f"{org} no longer uses information "
                    f"“{purpose_words(old, purpose)}” ({purpose_id}).",
                    material=False,
                )
            )
    return changes


# ---------------------------------------------------------------- recipients


def recipient_changes(old: Policy, new: Policy) -> list[Change]:
    before = {r.id: r for r in old.meaning.recipients}
    after = {r.id: r for r in new.meaning.recipients}
    org = new.short_name
    changes: list[Change] = []
    for recipient_id, recipient in after.items():
        if recipient_id in before:
            changes += _recipient_delta(before[recipient_id], recipient, old, new)
            continue
        what = (
            "every category of information"
            if recipient.categories == "all"
            else category_names(set(recipient.categories), new)
        )
        kind = _KIND_WORDS[recipient.kind].format(org=org)
        changes.append(
            Change(
                ChangeKind.recipient_added,
                recipient_id,
                f"{org} may now disclose {what} to a new recipient, {recipient_id} "
                f"(a {kind}): {recipient.description}",
                material=True,
            )
        )
    for recipient_id, recipient in before.items():
        if recipient_id not in after:
            changes.append(
                Change(
                    ChangeKind.recipient_removed,
                    recipient_id,
                    f"{org} no longer discloses personal information to "
                    f"{recipient_id}: {recipient.description}",
                    material=False,
                )
            )
    return changes


def _recipient_delta(
    was: Recipient, now: Recipient, old: Policy, new: Policy
) -> list[Change]:
    org = new.short_name
    changes: list[Change] = []
    if (was.kind, was.relationship) != (now.kind, now.relationship):
        # A new kind changes the grounds for disclosure: always worth notice.
        changes.append(
            Change(
                ChangeKind.recipient_kind_changed,
                now.id,
                f"Recipient {now.id} is now treated as a "
                f"{_KIND_WORDS[now.kind].format(org=org)}"
                f"{f' ({now.relationship})' if now.relationship else ''} "
                f"(was: {_KIND_WORDS[was.kind].format(org=org)}).",
                material=True,
            )
        )
    wider, narrower = _scope_delta(was, now, old, new)
    if wider:
        changes.append(
            Change(
                ChangeKind.recipient_widened,
                now.id,
                f"Recipient {now.id}: {'; '.join(wider)}.",
                material=True,
            )
        )
    if narrower:
        changes.append(
            Change(
                ChangeKind.recipient_narrowed,
                now.id,
                f"Recipient {now.id}: {'; '.join(narrower)}.",
                material=False,
            )
        )
    if (was.description, set(was.clauses)) != (now.description, set(now.clauses)):
        changes.append(
            Change(
                ChangeKind.recipient_changed,
                now.id,
                f"Recipient {now.id} is now described as: {now.description}",
                material=False,
            )
        )
    return changes


def _scope_delta(
    was: Recipient, now: Recipient, old: Policy, new: Policy
) -> tuple[list[str], list[str]]:
    """What the recipient may now receive more of (wider) and less of (narrower)."""
    wider: list[str] = []
    narrower: list[str] = []
    if was.categories != now.categories:
        if now.categories == "all":
            wider.append("may now receive every category of information")
        elif was.categories == "all":
            narrower.append(
                f"now receives only {category_names(set(now.categories), new)}"
            )
        else:
            added = set(now.categories) - set(was.categories)
            removed = set(was.categories) - set(now.categories)
            if added:
                wider.append(f"may now also receive {category_names(added, new, old)}")
            if removed:
                narrower.append(
                    f"no longer receives {category_names(removed, new, old)}"
                )
    # No purpose list means no purpose restriction.
    if was.purposes != now.purposes:
        if now.purposes is None:
            wider.append("is no longer limited to particular purposes")
        elif was.purposes is None:
            narrower.append(f"now only for {listed(now.purposes)}")
        else:
            if set(now.purposes) - set(was.purposes):
                wider.append(
                    f"may now also receive it for {listed(set(now.purposes) - set(was.purposes))}"
                )
            if set(was.purposes) - set(now.purposes):
                narrower.append(
                    f"no longer receives it for {listed(set(was.purposes) - set(now.purposes))}"
                )
    dropped = set(was.requires) - set(now.requires)
    if dropped:
        wider.append(
            f"no longer needs a {listed(r.replace('_', ' ') for r in dropped)}"
        )
    required = set(now.requires) - set(was.requires)
    if required:
        narrower.append(f"now needs a {listed(r.replace('_', ' ') for r in required)}")
    return wider, narrower
