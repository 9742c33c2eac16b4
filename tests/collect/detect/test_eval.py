"""The detectors meet their targets on the labelled evaluation set.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket" (collect.volunteered.channels).
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.collect.eval.generate import LOCALES, PATH, generate, render
from tests.collect.eval.scoring import (
    evaluate,
    known_people,
    load_messages,
    scan_with_region,
)

TARGETS = {"phone": (0.95, 0.98), "email": (0.95, 0.98), "card": (0.95, 0.98)}


def test_evaluation_file_matches_its_generator() -> None:
    assert PATH.read_text(encoding="utf-8") == render(generate())


def test_evaluation_set_is_large_and_covers_every_locale() -> None:
    messages = load_messages()
    assert len(messages) >= 300
    assert {message.locale for message in messages} == set(LOCALES)
    kinds = Counter(span.kind for message in messages for span in message.spans)
    assert min(kinds.values()) >= 50


@pytest.mark.clause("collect.volunteered.channels")
@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_volunteered_data_is_found_with_target_precision_and_recall(kind: str) -> None:
    scores = evaluate(scan_with_region(known_people()), load_messages())
    precision, recall = TARGETS[kind]
    score = scores[kind]
    assert score.precision >= precision, score.misses[:10]
    assert score.recall >= recall, score.misses[:10]


@pytest.mark.clause("collect.volunteered.channels")
def test_ibans_ips_and_known_names_are_found_too() -> None:
    scores = evaluate(scan_with_region(known_people()), load_messages())
    for kind in ("iban", "ip", "person"):
        assert scores[kind].precision >= 0.95, kind
        assert scores[kind].recall >= 0.95, kind
