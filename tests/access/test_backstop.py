"""The gate's runtime backstop catches every read around it that the source check cannot.

Clause use.purposes ("Jive uses the information it collects only in these
ways": every read of personal data goes through the purpose gate).

Each bad read is planted as product code (compiled as a module of `tutela`,
so the backstop charges it like any other) and must fail with `UngatedRead`:
raw SQL text, a CTE, a subquery inside an UPDATE, a quoted table name,
`exec_driver_sql`, `Base.metadata.tables[...]`, a join from a table that
holds nothing personal, a session that happens to be named `use`, and a
blob decrypted without the gate. The same reads through the gate pass, a
workflow's exemption covers its own table and nothing else, and a stale
exemption fails the source check.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select, text, update

from tests.access.world import World, build_world
from tests.test_layering import personal_models, stale_exemptions
from tutela.access import Actor, ReadGuard, access, personal_tables
from tutela.errors import PurposeDenied
from tutela.store import BlobStore, Store, UngatedRead
from tutela.store.models import (
    Base,
    Blob,
    Person,
    SarCase,
    User,
    Voicemail,
)

pytestmark = pytest.mark.clause("use.purposes")

STAFF = Actor.system("collect")
PURPOSE = "deliver_services"

# Bad reads, each a few lines of "product" code run with `session` open.
PLANTED = {
    "text": 'session.execute(text("SELECT name, email FROM people"))',
    "cte": """
        session.execute(text(
            "WITH who AS (SELECT id, email FROM people) SELECT count(*) FROM who"
        ))
    """,
    "update subquery": """
        session.execute(text(
            "UPDATE blobs SET media_type = 'audio/wav' WHERE id IN "
            "(SELECT audio_blob_id FROM voicemails WHERE caller_e164 = '+15550100')"
        ))
    """,
    "quoted name": "session.execute(text('SELECT * FROM \"people\" AS p'))",
    "exec_driver_sql": """
        session.connection().exec_driver_sql("SELECT mailbox FROM voicemails")
    """,
    "metadata tables": """
        people = Base.metadata.tables["people"]
        session.execute(select(people.c.email))
    """,
    "join from a non-personal table": """
        session.execute(
            select(Blob.id).join(Voicemail, Voicemail.audio_blob_id == Blob.id)
        )
    """,
    "a session named use": """
        use = session
        use.scalars(select(Person))
    """,
    "swallowed": """
        try:
            session.execute(text("SELECT email FROM people"))
        except Exception:
            pass  # the backstop keeps it anyway
    """,
}


def plant(module: str, source: str, **names: Any) -> None:
    """Run `source` as code of `module` (the backstop charges reads to it)."""
    scope = {
        "__name__": module,
        "text": text,
        "select": select,
        "Base": Base,
        "Blob": Blob,
        "Person": Person,
        "Voicemail": Voicemail,
        **names,
    }
    exec(compile(textwrap.dedent(source), f"<{module}>", "exec"), scope)


@pytest.fixture
def world(store: Store) -> World:
    return build_world(store)


@pytest.fixture
def guard(gate_backstop: ReadGuard) -> Iterator[ReadGuard]:
    """The run's backstop; what a test plants on purpose is taken back after it."""
    yield gate_backstop
    gate_backstop.take()


def test_the_personal_tables_are_read_off_the_models() -> None:
    tables = personal_tables()
    assert {"people", "voicemails", "holdings", "web_visits"} <= tables
    assert "blobs" not in tables and "audit_entries" not in tables


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_a_planted_read_around_the_gate_fails(
    name: str, store: Store, world: World, guard: ReadGuard
) -> None:
    with store.session() as session:
        if name == "swallowed":
            plant("tutela.planted", PLANTED[name], session=session)
        else:
            with pytest.raises(UngatedRead, match="tutela.planted reads"):
                plant("tutela.planted", PLANTED[name], session=session)
    found = guard.take()
    assert len(found) == 1 and found[0].startswith("tutela.planted reads ")


def test_the_same_reads_pass_inside_the_gate(
    store: Store, world: World, guard: ReadGuard
) -> None:
    with access(store, actor=STAFF, purpose=PURPOSE) as use:
        people = use.rows(Person.id, Person.email)
        joined = use.rows(
            Voicemail.id, where=[Voicemail.audio_blob_id == Blob.id], limit=1
        )
    assert len(people) == 3 and joined == []
    assert guard.take() == []


def test_a_test_reading_what_it_stored_is_not_charged(
    store: Store, world: World, guard: ReadGuard
) -> None:
    with store.session() as session:
        assert session.scalar(select(Person.email).where(Person.id == world.alice))
    assert guard.take() == []


def test_an_exemption_covers_its_own_tables_and_nothing_else(
    store: Store, world: World, guard: ReadGuard
) -> None:
    with store.session() as session:
        own = "session.scalars(select(SarCase))"
        plant("tutela.rights.cases", own, session=session, SarCase=SarCase)
        assert guard.take() == []
        with pytest.raises(UngatedRead, match="tutela.rights.cases reads people"):
            plant(
                "tutela.rights.cases",
                "session.scalars(select(Person))",
                session=session,
            )
        # Exempt in one module is not exempt in its neighbour.
        with pytest.raises(UngatedRead, match="tutela.rights.claims reads users"):
            plant(
                "tutela.rights.claims",
                "session.scalars(select(User))",
                session=session,
                User=User,
            )
    assert len(guard.take()) == 2


def test_a_blob_is_decrypted_only_through_the_gate(
    store: Store, world: World, guard: ReadGuard
) -> None:
    blobs = BlobStore.in_data_dir(store.data_dir)
    with store.session() as session:
        blob = blobs.put(
            session,
            account_id=world.us_account,
            data=b"RIFF-test",
            media_type="audio/wav",
        )
        session.execute(
            update(Voicemail)
            .where(Voicemail.id == world.alice_voicemail)
            .values(audio_blob_id=blob.id)
        )
        blob_id = blob.id
    with store.session() as session:
        with pytest.raises(UngatedRead, match="through the purpose gate"):
            plant(
                "tutela.planted",
                "blobs.get(session, blob_id)",
                session=session,
                blobs=blobs,
                blob_id=blob_id,
            )
    with access(store, actor=STAFF, purpose=PURPOSE) as use:
        read = use.blob(
            Voicemail.audio_blob_id, Voicemail.id == world.alice_voicemail, blobs=blobs
        )
    assert (read.data, read.media_type) == (b"RIFF-test", "audio/wav")


def test_an_end_user_cannot_play_a_colleagues_voicemail_through_the_gate(
    store: Store, world: World, guard: ReadGuard
) -> None:
    blobs = BlobStore.in_data_dir(store.data_dir)
    with store.session() as session:
        blob = blobs.put(
            session,
            account_id=world.us_account,
            data=b"RIFF-bob",
            media_type="audio/wav",
        )
        session.execute(
            update(Voicemail)
            .where(Voicemail.id == world.bob_voicemail)
            .values(audio_blob_id=blob.id)
        )
    alice = Actor.customer(world.alice, world.us_account)
    with access(store, actor=alice, purpose=PURPOSE) as use:
        with pytest.raises(PurposeDenied):
            use.blob(
                Voicemail.audio_blob_id,
                Voicemail.id == world.bob_voicemail,
                blobs=blobs,
            )


def test_a_stale_exemption_fails_the_source_check() -> None:
    planted = {"tutela.rights.cases": (SarCase, Person)}
    assert stale_exemptions(planted, personal_models()) == {
        "tutela.rights.cases": {"Person"}
    }
