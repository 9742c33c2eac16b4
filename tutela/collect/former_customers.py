"""The former-customer rules: what a closed account's data becomes.

Policy: "Kept while the business is a customer, then as the law requires"
(business_contact, payment, phone_numbers, porting, communications,
call_records and call_recordings: `while_customer`). Once an account has
been closed (`tutela.collect.closing`) for `TUTELA_FORMER_CUSTOMER_DAYS`,
`tutela retention run` erases every row of those categories of the account
(`erase_account_category`: recordings' audio
shredded; people with their holdings and portal sign-ins; the account row
stays, its organization name blanked, as the anchor of the disclosure
ledger and of its requests' records).

Voicemail (`until_customer_deletes`) goes too: closing the account closes
its mailboxes, the last deletion the customer makes; keeping a former
customer's messages with no one left to delete them would keep them forever.

"Then as the law requires" is the legal holds (`TUTELA_LEGAL_HOLDS`,
`tutela.legal_holds`): a held category of a closed account is kept
until the hold's end counted from the closing, and reported with its
reason; the first run after the end erases it. Re-running is idempotent.

Clause use.purposes: which accounts are due, and the ids of what they hold,
are read through the purpose gate as the `retention` job (the data was kept
`deliver_services`; it is read once more only to delete it), inside each
erasing write (`tutela.collect._gate`) so the reads are audited with it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete
from sqlalchemy.orm import Session

from tutela.access import Actor, access
from tutela.access.reads import (
    accounts_by_id,
    closed_accounts,
    recording_ids_of,
    voicemail_ids_of,
)
from tutela.collect._gate import DELIVER, reading
from tutela.collect.erasure import (
    ERASED,
    Erased,
    delete_recordings,
    delete_voicemails,
    secure_delete,
)
from tutela.legal_holds import LegalHold, check_holds, hold_on
from tutela.policy import Policy, RetentionRule
from tutela.store import BlobStore, Store, utc_aware
from tutela.store.models import (
    Account,
    Base,
    CallRecord,
    CallRecording,
    Communication,
    Extension,
    Holding,
    PaymentMethod,
    Person,
    PhoneNumber,
    PortingRequest,
    RecordingNotice,
    Voicemail,
)

log = logging.getLogger(__name__)

RETENTION = Actor.system("retention")
"""The sweep's actor: it finds what a closed account still holds, to delete it."""


@dataclass
class FormerCustomers:
    """One run: accounts erased, rows per table, categories still held and why."""

    accounts: list[int] = field(default_factory=list)
    deleted: dict[str, int] = field(default_factory=dict)
    blanked: dict[str, int] = field(default_factory=dict)
    audio_shredded: int = 0
    held: dict[str, dict[str, object]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "accounts": self.accounts,
            "deleted": self.deleted,
            "blanked": self.blanked,
            "audio_shredded": self.audio_shredded,
            "held": self.held,
        }


# Policy category -> the tables that hold it for one account, children first.
ACCOUNT_TABLES: dict[str, tuple[type[Base], ...]] = {
    "call_records": (CallRecord,),
    "call_recordings": (CallRecording, RecordingNotice),
    "voicemail": (Voicemail,),
    "communications": (Communication,),
    "payment": (PaymentMethod,),
    "porting": (PortingRequest,),
    "phone_numbers": (Extension, PhoneNumber, Holding),
    "business_contact": (Person,),
}


def erase_account_category(
    session: Session, blobs: BlobStore, account_id: int, category: str
) -> Erased:
    """Every row of one policy category of one closed account."""
    secure_delete(session)
    out = Erased()
    if category == "voicemail":
        with reading(session, actor=RETENTION) as use:
            ids = voicemail_ids_of(use, account_id)
        delete_voicemails(session, blobs, ids, out)
        return out
    if category == "call_recordings":
        with reading(session, actor=RETENTION) as use:
            ids = recording_ids_of(use, account_id)
        delete_recordings(session, blobs, ids, out)
    for model in ACCOUNT_TABLES[category]:
        table = Base.metadata.tables[model.__tablename__]
        where = table.c.account_id == account_id
        if model is Holding:
            where = where & table.c.kind.in_(("number", "extension"))
        result = session.execute(delete(table).where(where))
        out.count(table.name, max(int(getattr(result, "rowcount", 0) or 0), 0))
    if category == "business_contact":
        session.execute(delete(Holding).where(Holding.account_id == account_id))
        with reading(session, actor=RETENTION) as use:
            found = accounts_by_id(use, [account_id])
        account = found[0] if found else None
        if account is not None and account.organization != ERASED:
            account.organization = ERASED
            out.count(Account.__tablename__, 1, blanked=True)
    return out


def former_customer_categories(policy: Policy) -> list[str]:
    """The categories a closed account loses, in the order they are erased."""
    ruled = {
        c.id
        for c in policy.meaning.categories
        if c.retention.rule
        in (RetentionRule.while_customer, RetentionRule.until_customer_deletes)
    }
    return [c for c in ACCOUNT_TABLES if c in ruled]


def sweep_former_customers(
    store: Store,
    *,
    holds: Sequence[LegalHold],
    grace_days: int,
    now: dt.datetime,
) -> FormerCustomers:
    """Erase the data of accounts closed more than `grace_days` ago (see above)."""
    policy = store.policy()
    check_holds(holds, policy.category_ids())
    categories = former_customer_categories(policy)
    result = FormerCustomers()
    blobs = BlobStore.in_data_dir(store.data_dir)
    cutoff = now - dt.timedelta(days=grace_days)
    # Which accounts are due is read alone, before any erasing write opens.
    with access(store, actor=RETENTION, purpose=DELIVER) as use:
        due = closed_accounts(use, closed_by=cutoff)
    for account_id, closed_at in due:
        assert closed_at is not None  # the query asked for a closing time
        since = utc_aware(closed_at) + dt.timedelta(days=grace_days)
        with store.session() as session:
            for category in categories:
                hold = hold_on(holds, category, since=since, now=now)
                if hold is not None:
                    held = result.held.setdefault(
                        category, {**hold.describe(since), "accounts": []}
                    )
                    accounts = held["accounts"]
                    assert isinstance(accounts, list)
                    accounts.append(account_id)
                    continue
                erased = erase_account_category(session, blobs, account_id, category)
                for table, rows in erased.deleted.items():
                    result.deleted[table] = result.deleted.get(table, 0) + rows
                for table, rows in erased.blanked.items():
                    result.blanked[table] = result.blanked.get(table, 0) + rows
                result.audio_shredded += erased.shredded
        result.accounts.append(account_id)
    log.info(
        "retention.former_customers accounts=%d rows=%d held=%d",
        len(result.accounts),
        sum(result.deleted.values()),
        len(result.held),
    )
    return result


__all__ = [
    "ACCOUNT_TABLES",
    "FormerCustomers",
    "erase_account_category",
    "former_customer_categories",
    "sweep_former_customers",
]
