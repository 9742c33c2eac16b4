"""The policy decision: may this actor use these categories for this purpose?

Clauses: use.purposes and its eight purposes (use.purposes.communicate ...
use.purposes.improve_websites_and_ads: a purpose reaches only the categories
the policy lists for it), scope.web_unlinked (website and ad data are never
used together with identifying data), collect.requested (a card security code
is never stored, so no purpose can read it), rights.access (`subject_access`).

`decide` is a pure function of (policy, role or job, purpose, categories,
fields). The policy is indexed once; decisions are memoised, so a decision
costs a dictionary lookup after the first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from tutela.access.actors import Actor
from tutela.access.roles import SUBJECT_ACCESS, Role, purposes_for
from tutela.policy import Policy

WEB_UNLINKED = "scope.web_unlinked"
RIGHTS_ACCESS = "rights.access"


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    purpose: str
    categories: frozenset[str]
    denied_category: str | None = None
    reason: str = ""
    clause: str | None = None


class PolicyIndex:
    """The parts of a policy a decision needs, as sets and dicts."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        cats = policy.meaning.categories
        self.categories = frozenset(c.id for c in cats)
        self.unlinkable = frozenset(c.id for c in cats if not c.linkable)
        self.fields = {c.id: frozenset(c.fields) for c in cats}
        self.never_stored = {
            (c.id, n.field): n.reason for c in cats for n in c.never_store
        }
        self.purposes: dict[str, frozenset[str]] = {
            p.id: frozenset(p.categories) for p in policy.meaning.purposes
        }
        self.clauses = {p.id: p.clause for p in policy.meaning.purposes}
        # A subject's own data: every category that can be tied to a person.
        self.purposes[SUBJECT_ACCESS] = self.categories - self.unlinkable
        self.clauses[SUBJECT_ACCESS] = RIGHTS_ACCESS


_indexes: dict[int, PolicyIndex] = {}


def policy_index(policy: Policy) -> PolicyIndex:
    found = _indexes.get(id(policy))
    if found is None or found.policy is not policy:
        found = PolicyIndex(policy)
        if len(_indexes) > 32:
            _indexes.clear()
        _indexes[id(policy)] = found
    return found


def decide(
    policy: Policy,
    actor: Actor | Role,
    purpose: str,
    categories: Iterable[str],
    *,
    fields: Iterable[tuple[str, str]] = (),
) -> Decision:
    """Decide whether `actor` may use `categories` (and `fields`) for `purpose`."""
    role = actor.role if isinstance(actor, Actor) else actor
    job = actor.job if isinstance(actor, Actor) else None
    index = policy_index(policy)
    wanted = tuple(fields)
    requested = frozenset(categories) | {category for category, _ in wanted}
    for category, field in wanted:
        if (category, field) in index.never_stored:
            return Decision(
                False,
                purpose,
                requested,
                category,
                f"field {field!r} is never stored, so no purpose can read it",
                "collect.requested",
            )
    decision = _decide(index, role, job, purpose, requested)
    if decision.allowed:
        for category, field in wanted:
            if field not in index.fields.get(category, frozenset()):
                return Decision(
                    False,
                    purpose,
                    requested,
                    category,
                    f"{field!r} is not a field of this category",
                    decision.clause,
                )
    return decision


@lru_cache(maxsize=8192)
def _decide(
    index: PolicyIndex,
    role: Role,
    job: str | None,
    purpose: str,
    categories: frozenset[str],
) -> Decision:
    permitted = index.purposes.get(purpose)
    clause = index.clauses.get(purpose, "use.purposes")
    if permitted is None:
        return Decision(
            False, purpose, categories, None, "not a purpose of the policy", clause
        )
    if purpose not in purposes_for(role, job, policy=index.policy):
        who = f"job {job!r}" if job else f"role {role}"
        return Decision(
            False, purpose, categories, None, f"{who} may not invoke it", clause
        )
    for category in sorted(categories):
        if category not in index.categories:
            return Decision(
                False, purpose, categories, category, "not a policy category", clause
            )
        if category not in permitted:
            return Decision(
                False,
                purpose,
                categories,
                category,
                "the policy does not permit this category for this purpose",
                clause,
            )
    unlinkable = categories & index.unlinkable
    if unlinkable and categories - index.unlinkable:
        return Decision(
            False,
            purpose,
            categories,
            min(unlinkable),
            "website and ad data may not be used with identifying data",
            WEB_UNLINKED,
        )
    return Decision(True, purpose, categories, None, "permitted", clause)
