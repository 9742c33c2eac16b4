"""An erased subject's own requests: the record stays, their words and address go.

Clauses: rights.access.request and changes.subscribe (`rights_requests`:
"Records of requests are kept 24 months (CCPA regulations)"). The law asks
for a record of each request (when, what kind, how it was answered), not
for the requester's address or words: so for every case of the subject the
case row and its events stay, while the requester's address and claimed
numbers are cleared, the raw messages and sent mail deleted (the sealed raw
message, the sender, the subject line), export zips shredded and download
links deleted. Messages and mail outside a case from or to their addresses
go, and so does a policy-update subscription of theirs. The response to the
erasure request itself is the one row kept with their address until it is
sent (`tutela.mail.outbox` then forgets the address).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from tutela.store import BlobStore, utcnow
from tutela.store.models import (
    DownloadToken,
    ExportBundle,
    OutboxMessage,
    PolicySubscription,
    RightsMessage,
    SarCase,
)


def _rows(result: object) -> int:
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


def forget_requests(
    session: Session,
    blobs: BlobStore,
    *,
    case_ids: Collection[int],
    addresses: Collection[str],
) -> dict[str, int]:
    """Clear the subject from their requests (see the module docstring)."""
    ids = sorted(set(case_ids))
    lowered = sorted({a.strip().lower() for a in addresses if a.strip()})
    out: dict[str, int] = {}
    zips = session.scalars(
        select(ExportBundle).where(
            ExportBundle.case_id.in_(ids), ExportBundle.shredded_at.is_(None)
        )
    ).all()
    for bundle in zips:
        if bundle.blob_id is not None:
            blobs.shred(session, bundle.blob_id)
        bundle.status = "expired"
        bundle.shredded_at = utcnow()
    out["export_zips"] = len(zips)
    out[DownloadToken.__tablename__] = _rows(
        session.execute(delete(DownloadToken).where(DownloadToken.case_id.in_(ids)))
    )
    theirs = or_(
        RightsMessage.case_id.in_(ids),
        func.lower(RightsMessage.sender_address).in_(lowered),
    )
    # A subscription that outlives its request message just loses the link.
    session.execute(
        update(PolicySubscription)
        .where(
            PolicySubscription.message_id.in_(select(RightsMessage.id).where(theirs))
        )
        .values(message_id=None)
    )
    out[RightsMessage.__tablename__] = _rows(
        session.execute(delete(RightsMessage).where(theirs))
    )
    mail = or_(
        OutboxMessage.case_id.in_(ids),
        func.lower(OutboxMessage.to_address).in_(lowered),
    )
    out[OutboxMessage.__tablename__] = _rows(
        session.execute(delete(OutboxMessage).where(mail))
    )
    out[PolicySubscription.__tablename__] = _rows(
        session.execute(
            delete(PolicySubscription).where(
                func.lower(PolicySubscription.address).in_(lowered)
            )
        )
    )
    out[SarCase.__tablename__] = _rows(
        session.execute(
            update(SarCase)
            .where(
                or_(
                    SarCase.id.in_(ids),
                    func.lower(SarCase.requester_address).in_(lowered),
                )
            )
            .values(requester_address=None, subject_e164=None, subject_number=None)
            .execution_options(synchronize_session=False)
        )
    )
    return out


__all__ = ["forget_requests"]
