"""The one stored form of an e-mail address, and email-validator's word on what one is.

Clause: collect.requested (a business contact's address is stored in one
form, so a requester, a sign-in and a subscriber are matched to it).
A refusal names the rule the text broke, never the text or any of it.
"""

from __future__ import annotations

import pytest

from tutela.errors import InvalidInput
from tutela.store import normalize_email


@pytest.mark.clause("collect.requested")
@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        (" Dana.Scully@ACME.Example ", "dana.scully@acme.example"),
        ("o'Brien+billing@Sub.Example.co.uk", "o'brien+billing@sub.example.co.uk"),
        ("jo\u0308rg@mu\u0308nchen.example", "j\u00f6rg@m\u00fcnchen.example"),
        ("officer@staff.test", "officer@staff.test"),
    ],
)
def test_a_valid_address_keeps_its_one_stored_form(raw: str, stored: str) -> None:
    assert normalize_email(raw) == stored


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("dana.scully.example.com", "must have an @-sign"),
        ("dana..scully@example.com", "cannot have two periods in a row"),
        ("dana@example", "should have a period"),
        ("@example.com", "something before the @-sign"),
        ("dana@printer.local", "special-use or reserved name"),
        ("dana,scully@example.com", "invalid characters before the @-sign"),
        ("d" * 65 + "@example.com", "too long before the @-sign"),
    ],
)
def test_a_refused_address_is_told_the_rule_it_broke_without_being_quoted(
    raw: str, rule: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_email(raw, field="requester")
    assert caught.value.location.field == "requester"
    _, said, reason = caught.value.message.partition("is not an e-mail address: ")
    assert said and rule in reason
    assert "dana" not in reason.lower() and "," not in reason
    assert "example" not in reason and "ddd" not in reason


def test_control_characters_and_overlong_addresses_are_refused() -> None:
    for raw in ("dana\x00@example.com", "d" * 60 + "@" + "e" * 200 + ".example"):
        with pytest.raises(InvalidInput) as caught:
            normalize_email(raw)
        assert caught.value.message.endswith("is not an e-mail address")
