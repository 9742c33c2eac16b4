"""`tutela accounts close`: the customer relationship ends, and it is recorded.

Policy: "Kept while the business is a customer, then as the law requires"
(the `while_customer` retention of collect.requested, collect.volunteered
and collect.service_use). Closing an account is the event every such rule
waits for: the account becomes `closed` with its closing time, every
holding of its numbers, extensions and addresses ends, and the closing is
audited under the officer who did it (the account is found through the
purpose gate inside the closing's write, audited with it). The data itself goes at the next
`tutela retention run` once `TUTELA_FORMER_CUSTOMER_DAYS` have passed
(`tutela.collect.former_customers`), except what a legal hold keeps.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from tutela.access.reads import account_by_ref
from tutela.audit.log import record
from tutela.collect._gate import reading
from tutela.collect.accounts.contacts import close_account
from tutela.errors import Conflict, NotFound
from tutela.store import Store, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Closed:
    account: str
    account_id: int
    closed_at: dt.datetime

    def as_dict(self) -> dict[str, object]:
        return {
            "account": self.account,
            "account_id": self.account_id,
            "closed_at": self.closed_at.isoformat(),
        }


def close_by_ref(
    store: Store, ref: str, *, actor: str, now: dt.datetime | None = None
) -> Closed:
    """Close the account with public number `ref`; `Conflict` if it is closed."""
    moment = now or utcnow()
    wanted = ref.strip()
    with store.session() as session:
        # Found (and locked) through the gate inside the write that closes it.
        with reading(session) as use:
            account = account_by_ref(use, wanted, for_update=True)
        if account is None:
            raise NotFound(
                f"no account {wanted!r}; see the account numbers in the console"
            )
        if account.status == "closed":
            raise Conflict(f"account {wanted} is already closed")
        close_account(session, account, at=moment)
        closed = Closed(account.ref, account.id, moment)
    record(
        store,
        actor=actor,
        action="account.closed",
        details={"account_id": closed.account_id},
    )
    log.info("account.closed account_id=%d", closed.account_id)
    return closed


__all__ = ["Closed", "close_by_ref"]
