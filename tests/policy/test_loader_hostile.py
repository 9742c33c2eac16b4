"""A hostile policy file is refused with a reason, never a crash or a hang.

Found by fuzzing the loader: an impossible date and an integer of thousands
of digits raised ValueError, deep nesting exhausted the stack; an alias bomb
would expand to billions of nodes.
"""

from __future__ import annotations

import pytest

from tutela.errors import PolicyInvalid
from tutela.policy.loader import MAX_POLICY_DEPTH, parse_policy

BOMB = b"""\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
document: {sections: [*g, *g, *g, *g, *g, *g, *g, *g, *g]}
"""


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"document: 2024-02-30\n", "cannot be read"),
        (b"document: 1" + b"0" * 5000 + b"\n", "cannot be read"),
        (b"[" * 100_000, "nested more than"),
        (b"a: " + b"{b: " * 200 + b"1" + b"}" * 200 + b"\n", "nested more than"),
        (BOMB, "aliases"),
    ],
)
def test_hostile_policy_text_is_refused_with_its_reason(
    raw: bytes, reason: str
) -> None:
    with pytest.raises(PolicyInvalid) as refused:
        parse_policy(raw, source="hostile.yaml")
    assert reason in refused.value.message
    assert "hostile.yaml" in str(refused.value.location.file)


def test_nesting_up_to_the_bound_is_only_a_schema_problem() -> None:
    depth = MAX_POLICY_DEPTH - 1
    raw = b"a: " + b"[" * depth + b"1" + b"]" * depth + b"\n"
    with pytest.raises(PolicyInvalid) as refused:
        parse_policy(raw)
    assert "nested" not in refused.value.message
