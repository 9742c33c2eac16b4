"""Diff of what the policy collects: categories, their safeguards and retention.

Clauses: changes.may_change, changes.notice. Categories are matched by id;
fields, source, safeguards (encryption, never-stored fields, linkability,
recording notice) and retention are compared one by one. See
`tutela.changes.diff` for what makes a change material.
"""

from __future__ import annotations

from tutela.changes._change import Change, ChangeKind, listed
from tutela.policy import Category, Policy, Retention, RetentionRule, Source

_SOURCE_WORDS = {
    Source.requested: "when {org} requests it",
    Source.volunteered: "when a person volunteers it",
    Source.service_use: "from use of {org}’s services",
    Source.web_use: "from use of {org}’s websites and ads",
}
# Longer-lived rules rank higher: fixed periods end, "while a customer" ends
# with the relationship, "until the customer deletes it" may never end.
_RETENTION_RANK = {
    RetentionRule.fixed_period: 0,
    RetentionRule.while_customer: 1,
    RetentionRule.until_customer_deletes: 2,
}


def category_names(ids: set[str], *policies: Policy) -> str:
    """`Payment information (payment)` for each id, looked up newest first."""
    names = []
    for category_id in ids:
        found = next(
            (
                c.name
                for p in policies
                for c in p.meaning.categories
                if c.id == category_id
            ),
            None,
        )
        names.append(f"{found} ({category_id})" if found else category_id)
    return listed(names)


def retention_words(retention: Retention) -> str:
    if retention.rule is RetentionRule.fixed_period:
        return f"for {retention.days} days"
    if retention.rule is RetentionRule.while_customer:
        return "while the business is a customer"
    return "until the customer deletes it"


def category_changes(old: Policy, new: Policy) -> list[Change]:
    before = {c.id: c for c in old.meaning.categories}
    after = {c.id: c for c in new.meaning.categories}
    org = new.short_name
    changes: list[Change] = []
    for category_id, category in after.items():
        if category_id in before:
            changes += _category_delta(before[category_id], category, org)
            continue
        source = _SOURCE_WORDS[category.source].format(org=org)
        changes.append(
            Change(
                ChangeKind.category_added,
                category_id,
                f"{org} now collects a new kind of information, {category.name} "
                f"({category_id}), {source}: {listed(category.fields)}; kept "
                f"{retention_words(category.retention)}.",
                material=True,
            )
        )
    for category_id, category in before.items():
        if category_id not in after:
            changes.append(
                Change(
                    ChangeKind.category_removed,
                    category_id,
                    f"{org} no longer collects {category.name} ({category_id}).",
                    material=False,
                )
            )
    return changes


def _category_delta(old: Category, new: Category, org: str) -> list[Change]:
    label = f"{new.name} ({new.id})"
    changes: list[Change] = []
    added = set(new.fields) - set(old.fields)
    removed = set(old.fields) - set(new.fields)
    if added:
        changes.append(
            Change(
                ChangeKind.category_fields_added,
                new.id,
                f"{label} now also includes: {listed(added)}.",
                material=True,
            )
        )
    if removed:
        changes.append(
            Change(
                ChangeKind.category_fields_removed,
                new.id,
                f"{label} no longer includes: {listed(removed)}.",
                material=False,
            )
        )
    if old.source != new.source:
        changes.append(
            Change(
                ChangeKind.category_source_changed,
                new.id,
                f"{label} is now collected "
                f"{_SOURCE_WORDS[new.source].format(org=org)} "
                f"(was: {_SOURCE_WORDS[old.source].format(org=org)}).",
                material=True,
            )
        )
    weaker, stronger = _safeguards(old, new)
    if weaker:
        changes.append(
            Change(
                ChangeKind.category_protection_weakened,
                new.id,
                f"{label}: {'; '.join(weaker)}.",
                material=True,
            )
        )
    if stronger:
        changes.append(
            Change(
                ChangeKind.category_protection_strengthened,
                new.id,
                f"{label}: {'; '.join(stronger)}.",
                material=False,
            )
        )
    changes += _retention_delta(old, new, label)
    # Lists of references and vocabulary terms are sets: their order means nothing.
    wording = [
        name
        for name, was, now in (
            ("name", old.name, new.name),
            ("clauses", set(old.clauses), set(new.clauses)),
            ("fideslang keys", set(old.fides), set(new.fides)),
            ("DPV terms", set(old.dpv), set(new.dpv)),
            (
                "retention description",
                old.retention.description,
                new.retention.description,
            ),
            ("completeness", old.completeness, new.completeness),
        )
        if was != now
    ]
    if wording:
        changes.append(
            Change(
                ChangeKind.category_changed,
                new.id,
                f"{label}: new {listed(wording)} (wording or classification only).",
                material=False,
            )
        )
    return changes


def _safeguards(old: Category, new: Category) -> tuple[list[str], list[str]]:
    """Safeguards the new version drops (weaker) and adds (stronger)."""
    weaker: list[str] = []
    stronger: list[str] = []
    unencrypted = (set(old.secret) - set(new.secret)) & set(new.fields)
    if unencrypted:
        weaker.append(f"{listed(unencrypted)} no longer stored encrypted")
    encrypted = set(new.secret) - set(old.secret)
    if encrypted:
        stronger.append(f"{listed(encrypted)} now stored encrypted")
    old_never = {n.field for n in old.never_store}
    new_never = {n.field for n in new.never_store}
    if old_never - new_never:
        weaker.append(f"{listed(old_never - new_never)} may now be stored")
    if new_never - old_never:
        stronger.append(f"{listed(new_never - old_never)} never stored")
    if old.linkable != new.linkable:
        (weaker if new.linkable else stronger).append(
            "may now be associated with personally identifiable information"
            if new.linkable
            else "no longer associated with personally identifiable information"
        )
    old_notice = old.notice is not None and old.notice.required
    new_notice = new.notice is not None and new.notice.required
    if old_notice != new_notice:
        (stronger if new_notice else weaker).append(
            "now only after notice" if new_notice else "no longer requires notice"
        )
    old_consent = set(old.notice.all_party_consent_jurisdictions if old.notice else [])
    new_consent = set(new.notice.all_party_consent_jurisdictions if new.notice else [])
    if old_consent - new_consent:
        weaker.append(
            f"all-party consent no longer observed in {listed(old_consent - new_consent)}"
        )
    if new_consent - old_consent:
        stronger.append(
            f"all-party consent now observed in {listed(new_consent - old_consent)}"
        )
    return weaker, stronger


def _retention_delta(old: Category, new: Category, label: str) -> list[Change]:
    was, now = old.retention, new.retention
    if was.rule == now.rule and was.days == now.days:
        return []
    sentence = (
        f"{label} is now kept {retention_words(now)} (was: {retention_words(was)})."
    )
    if was.rule == now.rule:
        longer = (now.days or 0) > (was.days or 0)
        kind = (
            ChangeKind.retention_lengthened
            if longer
            else ChangeKind.retention_shortened
        )
        return [Change(kind, new.id, sentence, material=longer)]
    longer = _RETENTION_RANK[now.rule] > _RETENTION_RANK[was.rule]
    return [
        Change(ChangeKind.retention_rule_changed, new.id, sentence, material=longer)
    ]
