"""Property-based tests of the mail parsers (hypothesis).

Random and mutated messages never raise anything but the project's own
errors; the mbox reader splits exactly as the standard library does, with
bounded buffers; in any mailbox, each poison message is quarantined with
its reason and every good one is stored. No deadline: a hang shows as a
suite that never ends, never as a timing assertion.
"""

from __future__ import annotations

import mailbox
import tempfile
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.rights.conftest import MESSAGES
from tests.rights.mails import mail, nested
from tutela.config import Settings
from tutela.mail.mailboxes import RawMessage, read_messages
from tutela.mail.parsing import MalformedMessage, Parsed, parse
from tutela.rights.intake import intake_path
from tutela.store.db import Store
from tutela.store.models import RightsMessage

SAMPLES = [p.read_bytes() for p in sorted(MESSAGES.glob("*.eml"))]
QUICK = settings(max_examples=300, deadline=None)


def _parses_or_refuses(raw: bytes) -> None:
    try:
        parsed = parse(raw)
    except MalformedMessage as exc:
        assert exc.reason  # refused with a reason
        return
    assert isinstance(parsed, Parsed)
    assert parsed.message_id.startswith("<") and parsed.message_id.endswith(">")
    for text in (parsed.sender or "", parsed.subject or "", parsed.message_id):
        text.encode("utf-8")  # storable: no lone surrogates
        assert "\x00" not in text
    assert len(parsed.first_lines) <= 5


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A sample message with random bytes replaced, inserted or cut."""
    raw = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(raw)))
        action = draw(st.sampled_from(["replace", "insert", "cut"]))
        piece = draw(st.binary(min_size=1, max_size=40))
        if action == "replace":
            raw[at : at + len(piece)] = piece
        elif action == "insert":
            raw[at:at] = piece
        else:
            del raw[at : at + len(piece)]
    return bytes(raw)


HEADER_NAMES = st.sampled_from(
    [
        "From",
        "Subject",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Authentication-Results",
        "Content-Type",
        "Content-Transfer-Encoding",
        "Auto-Submitted",
        "Return-Path",
        "MIME-Version",
    ]
)


@st.composite
def headers_and_body(draw: st.DrawFn) -> bytes:
    """A message made of random values (any Unicode, raw UTF-8) in real headers."""
    lines = [
        f"{draw(HEADER_NAMES)}: {draw(st.text(max_size=120))}"
        for _ in range(draw(st.integers(0, 12)))
    ]
    local = draw(st.text(st.characters(exclude_categories=["Zs"]), min_size=1))
    domain = draw(st.text(min_size=1, max_size=12))
    lines.insert(draw(st.integers(0, len(lines))), f"From: {local}@{domain}.example")
    body = draw(st.text(max_size=400))
    text = "\r\n".join(lines) + "\r\n\r\n" + body
    return text.encode("utf-8", "surrogatepass")


@QUICK
@given(st.binary(max_size=3000))
def test_random_bytes_parse_or_are_refused_with_a_reason(raw: bytes) -> None:
    _parses_or_refuses(raw)


@QUICK
@given(mutated())
def test_mutated_messages_parse_or_are_refused_with_a_reason(raw: bytes) -> None:
    _parses_or_refuses(raw)


@QUICK
@given(headers_and_body())
def test_random_header_values_parse_or_are_refused_with_a_reason(raw: bytes) -> None:
    _parses_or_refuses(raw)


LINE = st.one_of(
    st.binary(max_size=60).map(lambda b: b.replace(b"\n", b"")),
    st.sampled_from([b"", b"From ", b"From x", b">From y", b"\r", b"From:"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(LINE, max_size=8), min_size=1, max_size=6))
def test_the_mbox_reader_splits_exactly_as_the_standard_library(
    messages: list[list[bytes]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "box.mbox"
        path.write_bytes(
            b"".join(
                b"From sender@example.com Mon Mar  2 09:15:00 2026\n"
                + b"".join(line + b"\n" for line in lines)
                + b"\n"
                for lines in messages
            )
        )
        box = mailbox.mbox(path, create=False)
        try:
            expected = [box.get_bytes(key) for key in box.keys()]
        finally:
            box.close()
        found = list(read_messages(path))
    assert all(isinstance(item, RawMessage) for item in found)
    assert [item.data for item in found if isinstance(item, RawMessage)] == expected


@st.composite
def mailboxes(draw: st.DrawFn) -> list[tuple[bytes, bool]]:
    """Messages with whether each is poison: good mail, junk, MIME bombs."""
    items: list[tuple[bytes, bool]] = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["good", "junk", "bomb"]))
        tag = uuid.uuid4().hex
        if kind == "good":
            sender = draw(
                st.sampled_from(["ann@example.com", "josé@example.es", "x@y.example"])
            )
            subject = draw(
                st.sampled_from(
                    ["Subject Access Request", "Question", "Unsubscribe", "DSAR"]
                )
            )
            items.append(
                (mail(sender, subject=subject, message_id=f"<{tag}@e.com>"), False)
            )
        elif kind == "junk":
            junk = draw(st.binary(max_size=300)).replace(b"\nFrom ", b"\n>From ")
            items.append((b"X-Tag: " + tag.encode() + b"\n" + junk, False))
        else:
            depth = draw(st.integers(65, 400))
            items.append((nested(depth, message_id=f"<{tag}@e.com>"), True))
    return items


@pytest.mark.clause("rights.access.request")
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(items=mailboxes())
def test_any_mailbox_stores_the_good_and_quarantines_the_poison_with_its_reason(
    store: Store, settings: Settings, items: list[tuple[bytes, bool]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "box.mbox"
        box = mailbox.mbox(path)
        for raw, _ in items:
            box.add(raw)
        box.close()
        with store.session() as session:
            before = set(session.scalars(select(RightsMessage.id)))
        report = intake_path(store, path, settings=settings)
    poison = sum(1 for _, bad in items if bad)
    assert len(report.results) == len(items) - poison
    assert len(report.rejected) == report.quarantined == poison
    with store.session() as session:
        new = [r for r in session.scalars(select(RightsMessage)) if r.id not in before]
    kept = [r for r in new if r.flag == "quarantined"]
    assert len(kept) == poison and all(r.problem for r in kept)
    assert len(new) == len(items)
