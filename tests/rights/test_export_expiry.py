"""`tutela retention run` shreds the zip of every export whose link expired unused.

Clauses: rights.access (the export reaches the subject once, through an
expiring link) and secure.measures (an expired zip does not wait for the
next export of the case to be destroyed).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from tests.cli_runner import tutela
from tests.factories import add_staff, token_env
from tests.rights.test_export import build_world, verified_case
from tutela.config import Settings
from tutela.rights.export import export_case
from tutela.store.blobs import BlobStore
from tutela.store.db import Store
from tutela.store.models import AuditEntry, Blob, ExportBundle


def _retention_run(env: dict[str, str], now: dt.datetime) -> dict[str, object]:
    done = tutela(
        "retention", "run", "--json", "--now", now.isoformat(), env=env, clean_env=True
    )
    assert done.returncode == 0, done.stderr
    payload: dict[str, object] = json.loads(done.stdout)
    return payload


@pytest.mark.postgresql
@pytest.mark.clause("rights.access")
@pytest.mark.clause("secure.measures")
def test_retention_run_shreds_an_expired_export_zip_and_records_it(
    store: Store, settings: Settings
) -> None:
    build_world(store, settings)
    case_id = verified_case(store, settings, "ann@example.com")
    built = export_case(store, case_id, settings=settings, actor="staff:1")
    with store.session() as s:
        bundle = s.scalars(select(ExportBundle)).one()
        blob_id = bundle.blob_id
    assert blob_id is not None
    blobs = BlobStore.in_data_dir(settings.data)
    assert blobs.path_of(blob_id).exists()
    env = token_env(store, settings, add_staff(store))

    # Before the link expires, the sweep leaves the zip alone.
    early = _retention_run(env, built.expires_at - dt.timedelta(hours=1))
    assert early["exports_expired"] == 0
    assert blobs.path_of(blob_id).exists()

    # With the clock past the expiry, the zip's file and key are destroyed.
    late = _retention_run(env, built.expires_at + dt.timedelta(minutes=1))
    assert late["exports_expired"] == 1
    assert not blobs.path_of(blob_id).exists()
    with store.session() as s:
        bundle = s.scalars(select(ExportBundle)).one()
        assert (bundle.status, bundle.shredded_at is not None) == ("expired", True)
        blob = s.get(Blob, blob_id)
        assert blob is None or blob.wrapped_key is None
        actions = list(s.scalars(select(AuditEntry.action)))
    assert "sar.export_expired" in actions
    swept = [a for a in actions if a == "retention.swept"]
    assert len(swept) == 2

    # Idempotent: a second late run finds nothing more to shred.
    again = _retention_run(env, built.expires_at + dt.timedelta(minutes=2))
    assert again["exports_expired"] == 0
