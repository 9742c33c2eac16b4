"""Which Authentication-Results a parsed message trusts.

Clauses: rights.access.verification and changes.subscribe. Only the topmost
header whose authserv-id is trusted counts; a DMARC pass counts only for
the domain of the From address the parser read.
"""

from __future__ import annotations

import pytest

from tests.mail.senders import message
from tutela.mail import parse

MX = "mx.jive.example"
PASS = f"{MX}; dkim=pass header.d=example.com; dmarc=pass header.from=example.com"


def read(auth: list[str], *, sender: str = "ann@example.com") -> tuple[list[str], bool]:
    raw = message(
        sender, subject="Unsubscribe", message_id="<t@example.com>", auth=auth
    )
    parsed = parse(raw, trusted={MX})
    return parsed.auth_failures, parsed.dmarc_pass


@pytest.mark.clause("rights.access.verification")
def test_without_trusted_ids_no_header_counts_at_all() -> None:
    raw = message(
        "ann@example.com", subject="Unsubscribe", message_id="<u@e.com>", auth=[PASS]
    )
    parsed = parse(raw)
    assert (parsed.auth_failures, parsed.dmarc_pass) == ([], False)
    failing = message(
        "ann@example.com",
        subject="Unsubscribe",
        message_id="<v@e.com>",
        auth=[f"{MX}; dmarc=fail header.from=example.com"],
    )
    assert parse(failing).auth_failures == []  # nobody we trust said so


@pytest.mark.clause("changes.subscribe")
def test_a_sender_written_header_on_top_is_skipped_for_the_trusted_one() -> None:
    sender_wrote = "attacker.example; dmarc=pass header.from=example.com"
    ours = f"{MX}; dmarc=fail header.from=example.com"
    assert read([sender_wrote, ours]) == (["dmarc"], False)
    assert read([sender_wrote]) == ([], False)


@pytest.mark.clause("rights.access.verification")
def test_a_lower_header_with_the_trusted_id_is_the_senders_and_ignored() -> None:
    ours = f"{MX}; dmarc=fail header.from=example.com"
    assert read([ours, PASS]) == (["dmarc"], False)
    assert read([PASS, ours]) == ([], True)


@pytest.mark.clause("changes.subscribe")
def test_a_dmarc_pass_about_another_domain_proves_nothing_about_this_from() -> None:
    assert read([PASS], sender="victim@example.org") == ([], False)
    # header.from compares case-insensitively and in A-labels.
    upper = f"{MX}; dmarc=pass header.from=EXAMPLE.COM"
    assert read([upper]) == ([], True)
    idn = f"{MX}; dmarc=pass header.from=xn--mller-kva.example"
    assert read([idn], sender="ann@müller.example") == ([], True)
    bare = f"{MX}; dmarc=pass"
    assert read([bare]) == ([], False)


@pytest.mark.clause("rights.access.verification")
def test_a_broken_trusted_header_yields_its_failures_and_never_a_pass() -> None:
    broken = f'{MX}; dkim=fail header.d="unterminated; dmarc=pass'
    assert read([broken]) == (["dkim"], False)
    foreign_broken = 'other.example; dkim=fail header.d="unterminated'
    assert read([foreign_broken, PASS]) == ([], True)
