"""Scanning combines detectors, attributes findings to known people and redacts.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket".
"""

from __future__ import annotations

import types

import pytest

import tutela.collect.detect as detect
from tutela.collect.detect import (
    Detection,
    KnownPeople,
    KnownPerson,
    redact,
    resolve_overlaps,
    scan,
)
from tutela.errors import InvalidInput

PEOPLE = KnownPeople(
    [
        KnownPerson("p-1", "José Müller", ("jose@beispiel.de",), ("+49 152 28817386",)),
        KnownPerson("p-2", "Jane Doe", ("jane@example.com",), ("(212) 555-0143",)),
        KnownPerson("p-3", "Jane Doe", (), ()),
        KnownPerson("p-4", "Ann Lee", (), ()),
    ]
)


def test_package_exports_are_sorted_and_complete() -> None:
    assert detect.__all__ == sorted(detect.__all__)
    defined = {
        name
        for name, value in vars(detect).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and getattr(value, "__module__", "tutela").startswith("tutela.collect.detect")
    }
    constants = {"DEFAULT_REGIONS", "KINDS", "Kind"}
    assert defined | constants == set(detect.__all__)


@pytest.mark.clause("collect.volunteered.channels")
def test_known_names_match_without_case_or_accents() -> None:
    found = scan("ask jose MULLER or Jose Müllers", people=PEOPLE)
    assert [(d.kind, d.person_id, d.text) for d in found] == [
        ("person", "p-1", "jose MULLER")
    ]


def test_name_shared_by_two_people_has_no_owner() -> None:
    [found] = scan("Jane Doe called", people=PEOPLE)
    assert found.person_id is None and found.value == "jane doe"


def test_name_inside_another_word_is_not_matched() -> None:
    assert scan("Ann Leeway", people=PEOPLE) == []


@pytest.mark.clause("collect.volunteered.channels")
def test_emails_and_phones_are_attributed_to_their_owner() -> None:
    found = scan(
        "write JOSE@beispiel.de or call 0152 28817386", regions=("DE",), people=PEOPLE
    )
    assert [(d.kind, d.person_id) for d in found] == [
        ("email", "p-1"),
        ("phone", "p-1"),
    ]


def test_card_wins_over_phone_and_iban_over_card() -> None:
    found = scan("4111 1111 1111 1111 / ES91 2100 0418 4502 0005 1332")
    assert [d.kind for d in found] == ["card", "iban"]


def test_overlaps_keep_the_stronger_kind_then_the_longer_match() -> None:
    a = Detection("phone", 0, 10, "0123456789", "+1", "x")
    b = Detection("card", 5, 20, "567890123456789", "1", "x")
    c = Detection("phone", 0, 12, "012345678901", "+2", "x")
    assert resolve_overlaps([a, b, c]) == [b]
    assert resolve_overlaps([a, c]) == [c]


@pytest.mark.clause("collect.volunteered.channels")
def test_redact_masks_everything_not_belonging_to_the_subject() -> None:
    text = (
        "I'm José Müller, jose@beispiel.de. Ask Ann Lee at (212) 555-0143, "
        "card 4111111111111111"
    )
    found = scan(text, people=PEOPLE)
    result = redact(text, found, keep={"p-1"})
    assert result.text == (
        "I'm José Müller, jose@beispiel.de. Ask [person redacted] at "
        "[phone redacted], card [card redacted]"
    )
    assert [r.kind for r in result.redacted] == ["person", "phone", "card"]
    assert "another known person" in result.redacted[1].reason
    assert [k.kind for k in result.kept] == ["person", "email"]
    for decision in result.redacted:
        assert "555" not in decision.reason and "4111" not in decision.reason


def test_redact_keeps_values_named_in_keep() -> None:
    text = "call +1 212 555 0100"
    result = redact(text, scan(text), keep={"+12125550100"})
    assert result.text == text and len(result.kept) == 1


def test_redact_merges_overlapping_masks_and_masks_kept_overlaps() -> None:
    text = "abcdefghij"
    dets = [
        Detection("phone", 0, 6, "abcdef", "v1", "x"),
        Detection("email", 4, 10, "efghij", "v2", "x", person_id="me"),
        Detection("card", 2, 5, "cde", "v3", "x"),
    ]
    result = redact(text, dets, keep={"me"})
    assert result.text == "[redacted]"
    assert result.kept == ()


def test_redact_refuses_detections_from_another_text_without_quoting_it() -> None:
    detection = Detection("email", 0, 5, "a@b.c", "secret-value", "x")
    with pytest.raises(InvalidInput) as error:
        redact("hello world", [detection])
    assert "secret-value" not in str(error.value) and "a@b.c" not in str(error.value)


def test_detection_repr_does_not_show_the_value() -> None:
    detection = Detection("email", 0, 5, "a@b.c", "a@b.c", "pattern")
    assert "a@b.c" not in repr(detection)


def test_detection_with_empty_span_is_rejected() -> None:
    with pytest.raises(InvalidInput):
        Detection("ip", 3, 3, "", "", "x")


def test_one_megabyte_of_mixed_text_finds_every_number() -> None:
    chunk = "Order 4500123987 from (212) 555-0143 at 10.0.0.1, café ☎ \x00\x1b[31m "
    text = chunk * (1_000_000 // len(chunk))
    found = scan(text, regions=("US",))
    assert {d.kind for d in found} == {"phone", "ip"}
    assert sum(d.kind == "phone" for d in found) == text.count("(212)")


@pytest.mark.parametrize(
    "text",
    [
        "a" * 1_000_000 + "@",
        "1" * 1_000_000,
        "@." * 300_000,
        "DE89" * 200_000,
        ":" * 500_000 + "1",
        "\x00\x01\x02\ufeff\u202e" * 1000,
        "Привет, мой номер +7 912 345-67-89 ‏عربي ٠١٢٣٤٥٦٧٨٩ 中文 ５５５",
    ],
)
def test_hostile_input_is_handled_without_error(text: str) -> None:
    for detection in scan(text, people=PEOPLE):
        assert text[detection.start : detection.end] == detection.text
