"""demo: a realistic synthetic data set, built only through the real ingest paths.

Accounts, people, numbers, cards, ports and support messages go through
`tutela.collect`; call records and voicemail are written as Asterisk files
and ingested with the same code as `tutela ingest`: the CDR file under
`<data>/demo-sources/`, the voicemail spool (clear-text audio) in a temporary
directory outside the data directory, removed once ingested, so the data
directory holds audio only in the encrypted blob store
(collect.service_use.voicemail).
"""

from __future__ import annotations

import logging

from tutela.demo.customers import DemoSummary, build_customers, pool_number, summarize
from tutela.demo.telephony import build_telephony_demo
from tutela.demo.users import build_demo_users, format_demo_logins
from tutela.store import Store

log = logging.getLogger(__name__)


def build_demo(
    store: Store, *, accounts: int = 200, seed: int = 7, telephony: bool = True
) -> DemoSummary:
    """Build (or complete) the whole demo data set; running it again adds nothing."""
    created = build_customers(store, accounts=accounts, seed=seed)
    if telephony:
        counts = build_telephony_demo(
            store, seed=seed, workdir=store.data_dir / "demo-sources"
        )
        log.info(
            "demo.telephony cdr_stored=%d voicemail_stored=%d",
            counts.get("cdr_stored", 0),
            counts.get("voicemail_stored", 0),
        )
    with store.session() as session:
        return summarize(session, created=created.created_accounts)


__all__ = [
    "DemoSummary",
    "build_demo",
    "build_demo_users",
    "format_demo_logins",
    "pool_number",
]
