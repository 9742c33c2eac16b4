"""Structural facts about data subjects: which account and jurisdiction they belong to.

Clauses: disclose.jurisdictions, disclose.jurisdictions.less_protective (a
disclosure records whether it crosses the subject's jurisdiction). Only
structural columns are read here (surrogate ids and the account's
jurisdiction), so no purpose is involved and nothing personal leaves.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from tutela.store.models import Account, Person


def subject_jurisdictions(
    session: Session, person_ids: Iterable[int]
) -> dict[int, str]:
    """Person id -> ISO jurisdiction of the person's business account.

    Ids that name no person are absent from the result.
    """
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Person.id, Account.jurisdiction)
        .join(Account, Account.id == Person.account_id)
        .where(Person.id.in_(ids))
    )
    return {int(pid): str(jurisdiction) for pid, jurisdiction in rows}
