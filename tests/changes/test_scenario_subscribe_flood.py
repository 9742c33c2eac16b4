"""Scenario: one client uses the subscribe form to mail-bomb one address.

Clause: changes.subscribe (a person may ask for notice of updates; a
stranger may not turn that into a flood of mail to somebody else). The
form sends a confirmation link to the address typed; without a limit per
address, one client sent ten an hour to one victim.
"""

from __future__ import annotations

import pytest

from tests.rights.conftest import Sink
from tests.web.live import app_client
from tutela.config import Settings
from tutela.mail import deliver
from tutela.store.db import Store

VICTIM = "victim@example.org"


@pytest.mark.clause("changes.subscribe")
def test_the_subscribe_form_mails_one_address_at_most_three_times_an_hour(
    store: Store, mail_settings: Settings, sink: Sink
) -> None:
    with app_client(mail_settings) as client:
        answers = [
            client.post("/policy/subscribe", data={"email": VICTIM}) for _ in range(10)
        ]
    assert [a.status_code for a in answers] == [202] * 3 + [429] * 7
    assert all(int(a.headers["retry-after"]) > 0 for a in answers[3:])
    deliver(store, mail_settings)
    assert len(sink.to(VICTIM)) == 3
