"""`tutela policy trace --strict`: every clause is proved by a test or is prose.

The clauses that are prose by nature are listed by id, each with its
reason, in `tutela.conformance.prose`; nothing else may go untraced.
"""

from __future__ import annotations

import json

from tests.cli_runner import tutela
from tests.samples import REPO
from tutela.conformance.prose import PROSE_CLAUSES
from tutela.conformance.trace import trace
from tutela.policy.loader import DEFAULT_POLICY, load_policy

POLICY = load_policy(DEFAULT_POLICY)


def test_every_prose_clause_is_a_clause_of_the_policy_with_a_reason() -> None:
    ids = {c.id for c in POLICY.clauses()}
    assert set(PROSE_CLAUSES) <= ids
    assert all(len(reason) > 20 for reason in PROSE_CLAUSES.values())


def test_no_promise_is_excused_as_prose() -> None:
    # Only headings, statements about the document or the law, and
    # disclaimers may be prose; every collect/use/disclose/rights/changes
    # promise needs a test.
    promises = ("use.", "disclose.", "rights.", "changes.", "contact.")
    assert not [i for i in PROSE_CLAUSES if i.startswith(promises)]


def test_every_clause_of_the_shipped_policy_is_traced_or_prose() -> None:
    entries = trace(POLICY, code_dir=REPO / "tutela", tests_dir=REPO / "tests")
    untraced = [e.id for e in entries if not e.traced and e.prose is None]
    assert untraced == []


def test_trace_strict_passes_and_names_the_prose_clauses() -> None:
    done = tutela("policy", "trace", "--strict", "--json", clean_env=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["untraced"] == []
    assert set(payload["prose"]) <= set(PROSE_CLAUSES)
    by_id = {c["id"]: c for c in payload["clauses"]}
    assert by_id["secure.no_guarantee"]["prose"] == PROSE_CLAUSES["secure.no_guarantee"]
