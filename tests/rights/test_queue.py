"""The officer's queue: filters, search by reference, pages, oldest deadline first.

Clause: rights.access (every request answered within its legal deadline:
the overdue and the due-soon are found at once).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tutela.errors import InvalidInput
from tutela.rights.cases import new_case
from tutela.rights.queue import CaseQuery, search_cases
from tutela.store.db import Store

pytestmark = pytest.mark.clause("rights.access")

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def cases(store: Store) -> dict[str, tuple[int, str]]:
    """Four cases: GDPR overdue, CCPA due in 3 days, Canadian on time, unknown on time."""
    made = {}
    with store.session() as session:
        for name, jurisdiction, days_ago in (
            ("gdpr_overdue", "DE", 40),
            ("ccpa_due_soon", "US-CA", 42),
            ("pipeda_on_time", "CA-ON", 1),
            ("strict_on_time", None, 2),
        ):
            case = new_case(
                session,
                channel="email",
                requester_address=f"{name}@example.com",
                received_at=NOW - dt.timedelta(days=days_ago),
                jurisdiction=jurisdiction,
                person_ids=[],
            )
            made[name] = (case.id, case.ref)
    return made


def refs(store: Store, query: CaseQuery) -> list[str]:
    return [c.ref for c in search_cases(store, query, now=NOW).cases]


@pytest.mark.postgresql
def test_the_queue_filters_by_deadline_rule_jurisdiction_and_due(store: Store) -> None:
    made = cases(store)
    assert refs(store, CaseQuery(due="overdue")) == [made["gdpr_overdue"][1]]
    assert refs(store, CaseQuery(due="due_soon")) == [made["ccpa_due_soon"][1]]
    assert refs(store, CaseQuery(rule="pipeda")) == [made["pipeda_on_time"][1]]
    assert refs(store, CaseQuery(jurisdiction="us")) == [made["ccpa_due_soon"][1]]
    assert refs(store, CaseQuery(jurisdiction="CA")) == [made["pipeda_on_time"][1]]
    assert len(refs(store, CaseQuery(state="received"))) == 4
    assert refs(store, CaseQuery(state="fulfilled")) == []


def test_the_queue_filters_by_what_the_request_asks_for(store: Store) -> None:
    made = {}
    with store.session() as session:
        for kind in ("access", "erasure", "correction"):
            case = new_case(
                session,
                channel="web",
                requester_address=f"{kind}@example.com",
                received_at=NOW - dt.timedelta(days=1),
                jurisdiction="DE",
                person_ids=[],
                kind=kind,
            )
            made[kind] = case.ref
    for kind, ref in made.items():
        found = search_cases(store, CaseQuery(kind=kind), now=NOW).cases
        assert [(c.ref, c.kind) for c in found] == [(ref, kind)]
    assert len(refs(store, CaseQuery())) == 3


@pytest.mark.postgresql
def test_the_queue_finds_a_case_by_its_reference_in_any_case(store: Store) -> None:
    made = cases(store)
    ref = made["strict_on_time"][1]
    assert refs(store, CaseQuery(ref=ref.lower())) == [ref]
    assert refs(store, CaseQuery(ref="SAR-00000000")) == []


@pytest.mark.postgresql
def test_the_queue_pages_oldest_deadline_first(store: Store) -> None:
    made = cases(store)
    first = search_cases(store, CaseQuery(per_page=3), now=NOW)
    second = search_cases(store, CaseQuery(per_page=3, page=2), now=NOW)
    assert (first.total, first.pages, second.page) == (4, 2, 2)
    order = [c.ref for c in [*first.cases, *second.cases]]
    assert order[0] == made["gdpr_overdue"][1]
    dues = [c.due for c in [*first.cases, *second.cases]]
    assert dues == sorted(dues)
    assert search_cases(store, CaseQuery(page=9), now=NOW).cases == []


@pytest.mark.parametrize(
    "query",
    [
        CaseQuery(state="open' OR 1=1"),
        CaseQuery(kind="deletion"),
        CaseQuery(rule="nope"),
        CaseQuery(due="tomorrow"),
        CaseQuery(jurisdiction="US%"),
        CaseQuery(page=0),
        CaseQuery(per_page=10_000),
    ],
)
def test_an_unusable_filter_is_refused_by_name(store: Store, query: CaseQuery) -> None:
    with pytest.raises(InvalidInput) as refused:
        search_cases(store, query, now=NOW)
    assert refused.value.location.field in {
        "state",
        "kind",
        "rule",
        "due",
        "jurisdiction",
        "page",
        "per_page",
    }
