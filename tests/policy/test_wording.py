"""`policy check` refuses wording that contradicts the structured meaning.

Clauses changes.may_change and changes.notice: the sentences people read and
the rules the code enforces must say the same thing. Each variant edits the
shipped policy the way a careless editor might, leaving the other half as
it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.changes.policies import (
    Edit,
    PolicyData,
    category,
    clause,
    load_variant,
)
from tutela.conformance.check import check
from tutela.policy.loader import DEFAULT_POLICY, load_policy
from tutela.policy.wording import periods, wording_problems
from tutela.store.models import Base


def drop_notify_purpose(data: PolicyData) -> None:
    data["meaning"]["purposes"] = [
        p for p in data["meaning"]["purposes"] if p["id"] != "notify_service_changes"
    ]


def drop_marketing_prohibition(data: PolicyData) -> None:
    data["meaning"]["prohibitions"] = [
        p
        for p in data["meaning"]["prohibitions"]
        if p["id"] != "no_third_party_marketing"
    ]


def lengthen_web_retention_only(data: PolicyData) -> None:
    category(data, "web_activity")["retention"]["days"] = 800


def expire_voicemail(data: PolicyData) -> None:
    category(data, "voicemail")["retention"] = {
        "rule": "fixed_period",
        "days": 30,
        "description": "Deleted after 30 days.",
    }


def voicemail_kept_a_year_in_prose(data: PolicyData) -> None:
    found = clause(data, "collect.service_use.voicemail")
    found["text"] = "Jive keeps customers' voice mail messages for one year."


def test_the_shipped_policy_says_the_same_in_both_halves() -> None:
    assert wording_problems(load_policy(DEFAULT_POLICY)) == []


@pytest.mark.clause("changes.may_change")
@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            drop_notify_purpose,
            "clause use.purposes.notify_service_changes: the sentence states a purpose",
            id="purpose only in prose",
        ),
        pytest.param(
            drop_marketing_prohibition,
            "clause disclose.no_third_party_marketing: the sentence speaks of "
            "disclosing",
            id="prohibition only in prose",
        ),
        pytest.param(
            lengthen_web_retention_only,
            "category web_activity retention.description: the text keeps "
            "web_activity for about thirteen months, but its retention is 800 days",
            id="retention period differs",
        ),
        pytest.param(
            expire_voicemail,
            "clause collect.service_use.voicemail: the text keeps voicemail until "
            "the customer deletes it, but its retention rule is fixed_period",
            id="until deleted in prose, fixed period in structure",
        ),
        pytest.param(
            voicemail_kept_a_year_in_prose,
            "clause collect.service_use.voicemail: the text keeps voicemail for one "
            "year, but its retention rule is until_customer_deletes",
            id="fixed period in prose, until deleted in structure",
        ),
    ],
)
def test_a_contradiction_is_a_check_problem(
    tmp_path: Path, edit: Edit, expected: str
) -> None:
    policy = load_variant(tmp_path, edit)
    problems = wording_problems(policy)
    assert any(problem.startswith(expected) for problem in problems), problems
    report = check(policy, Base.metadata)
    assert not report.ok
    assert any(problem.startswith(expected) for problem in report.problems)


def test_periods_are_read_as_day_ranges() -> None:
    found = [(p.text, p.low, p.high) for p in periods("kept 24 months, or 2 years")]
    assert found == [("24 months", 672, 744), ("2 years", 730, 732)]
    (about,) = periods("about thirteen months")
    assert about.low < 13 * 28 and about.high > 13 * 31


@pytest.mark.parametrize(
    ("words", "value"),
    [("7", 7), ("seven", 7), ("seventeen", 17), ("seventy", 70), ("twenty-six", 26)],
)
def test_numbers_in_words_are_read(words: str, value: int) -> None:
    (period,) = periods(f"kept for {words} days")
    assert (period.low, period.high) == (value, value)
