"""Wording that contradicts the structured meaning is an error of the policy.

Clauses: changes.may_change and changes.notice (what people read and what
the code enforces must not drift apart when the policy is edited). Part of
`tutela policy check`; each problem names the clause and what disagrees:

- a purpose sentence (`use.purposes.<id>`) with no structured purpose that
  cites it: a purpose named in prose but absent in structure;
- a sentence under `disclose.` that speaks of disclosing, sharing, selling
  or transferring, cited by no recipient, prohibition or the jurisdiction
  rules: a disclosure in prose the code knows nothing of;
- a retention period in a category's prose (its sentences or its
  retention description) that differs from the structured one, or a fixed
  period stated for a category whose structured rule is not a fixed period,
  or "until ... deletes" for one whose rule is something else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tutela.policy.model import Category, Policy, RetentionRule

_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve "
    "thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
)
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_NUMBER = (
    r"\d{1,5}|"
    rf"(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(_UNITS[1:10])}))?|"
    rf"{'|'.join(sorted(_UNITS, key=len, reverse=True))}"
)


def number(words: str) -> int:
    """The value of a number in digits or in English words up to 99."""
    text = words.lower()
    if text.isdigit():
        return int(text)
    tens, _, unit = text.replace(" ", "-").partition("-")
    if tens in _TENS:
        return 10 * (_TENS.index(tens) + 2) + (_UNITS.index(unit) if unit else 0)
    return _UNITS.index(text)


_PERIOD = re.compile(
    rf"\b(?P<about>about |around |roughly |approximately )?"
    rf"(?P<count>{_NUMBER})[ -](?P<unit>day|week|month|year)s?\b",
    re.IGNORECASE,
)
_KEEPING = re.compile(
    r"\b(keeps?|kept|retains?|retained|retention|stored?|stores|deleted?|"
    r"held|hold)\b",
    re.IGNORECASE,
)
_UNTIL_DELETED = re.compile(r"\buntil\b[^.]*\bdelete", re.IGNORECASE)
_DISCLOSING = re.compile(
    r"\b(disclos\w*|shar(e|es|ed|ing)|sell\w*|sold|transfer\w*)\b", re.IGNORECASE
)
# Days one unit may stand for (a month is 28-31 days, a year 365-366).
_UNIT_DAYS = {"day": (1, 1), "week": (7, 7), "month": (28, 31), "year": (365, 366)}


@dataclass(frozen=True)
class Period:
    text: str
    low: float
    high: float


def periods(text: str) -> Iterator[Period]:
    """Every period of time the text states, as a range of days."""
    for found in _PERIOD.finditer(text):
        count = number(found.group("count"))
        low, high = _UNIT_DAYS[found.group("unit").lower()]
        slack = 0.05 if found.group("about") else 0.0
        yield Period(
            found.group(0).strip(),
            count * low * (1 - slack),
            count * high * (1 + slack),
        )


def wording_problems(policy: Policy) -> list[str]:
    """Every place the policy's sentences contradict its structured meaning."""
    texts = {clause.id: clause.text for clause in policy.clauses()}
    return [
        *_purpose_problems(policy, texts),
        *_disclosure_problems(policy, texts),
        *(
            problem
            for category in policy.meaning.categories
            for problem in _retention_problems(category, texts)
        ),
    ]


def _purpose_problems(policy: Policy, texts: dict[str, str]) -> list[str]:
    cited = {purpose.clause for purpose in policy.meaning.purposes}
    return [
        f"clause {clause_id}: the sentence states a purpose, but no purpose in "
        "`meaning.purposes` cites it; add the purpose or remove the sentence"
        for clause_id in texts
        if clause_id.startswith("use.purposes.") and clause_id not in cited
    ]


def _disclosure_problems(policy: Policy, texts: dict[str, str]) -> list[str]:
    meaning = policy.meaning
    cited = {c for recipient in meaning.recipients for c in recipient.clauses}
    cited |= {prohibition.clause for prohibition in meaning.prohibitions}
    cited |= set(meaning.jurisdictions.clauses)
    return [
        f"clause {clause_id}: the sentence speaks of disclosing personal "
        "information, but no recipient, prohibition or jurisdiction rule cites "
        "it; declare what it allows or forbids in `meaning`"
        for clause_id, text in texts.items()
        if clause_id.startswith("disclose.")
        and clause_id not in cited
        and _DISCLOSING.search(text)
        and not text.rstrip().endswith(":")  # a lead-in to the list that follows
    ]


def _retention_problems(category: Category, texts: dict[str, str]) -> list[str]:
    retention = category.retention
    sources = [
        (f"clause {clause_id}", texts[clause_id])
        for clause_id in category.clauses
        if clause_id in texts and _KEEPING.search(texts[clause_id])
    ]
    sources.append(
        (f"category {category.id} retention.description", retention.description)
    )
    problems = []
    for where, text in sources:
        for period in periods(text):
            if retention.rule is not RetentionRule.fixed_period:
                problems.append(
                    f"{where}: the text keeps {category.id} for {period.text}, but "
                    f"its retention rule is {retention.rule.value}"
                )
            elif retention.days is not None and not (
                period.low <= retention.days <= period.high
            ):
                problems.append(
                    f"{where}: the text keeps {category.id} for {period.text}, but "
                    f"its retention is {retention.days} days"
                )
        if (
            _UNTIL_DELETED.search(text)
            and retention.rule is not RetentionRule.until_customer_deletes
            and where.startswith("clause")
        ):
            problems.append(
                f"{where}: the text keeps {category.id} until the customer deletes "
                f"it, but its retention rule is {retention.rule.value}"
            )
    return problems
