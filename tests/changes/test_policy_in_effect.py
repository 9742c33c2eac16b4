"""A published version is what the site, the API and the purpose gate use.

Clause changes.effective_on_publication: "an update published at this
website will be effective even if Jive does not give notice". Before any
publication the policy file is in effect; after `publish_policy` the new
version is, without a restart; a version that takes effect later is not in
effect yet (a comparison of dates in SQL, so on PostgreSQL too).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.changes.policies import (
    NEW_VERSION,
    PolicyData,
    clause,
    widen_improve_services,
    write_variant,
)
from tests.changes.test_publish import publish
from tests.web.live import app_client
from tutela.access import Actor, access
from tutela.access.roles import Role
from tutela.config import Settings
from tutela.errors import PurposeDenied
from tutela.policy.loader import DEFAULT_POLICY, load_policy
from tutela.store.db import Store
from tutela.store.models import Person

ENGINEER = Actor.staff(9, Role.engineering)
NEW_SCOPE = "This Privacy Policy explains what Jive does with personal information."


def new_scope_sentence(data: PolicyData) -> None:
    clause(data, "intro.scope")["text"] = NEW_SCOPE


def read_people_to_improve_services(store: Store) -> None:
    with access(store, actor=ENGINEER, purpose="improve_services") as use:
        use.select(Person)


@pytest.mark.clause("changes.effective_on_publication")
def test_a_published_version_is_what_the_pages_api_and_gate_use(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    with app_client(settings) as client:
        assert NEW_SCOPE not in client.get("/policy").text
        with pytest.raises(PurposeDenied):
            read_people_to_improve_services(store)

        publish(store)
        publish(
            store, write_variant(tmp_path, new_scope_sentence, widen_improve_services)
        )

        assert NEW_SCOPE in client.get("/").text
        assert NEW_SCOPE in client.get("/policy").text
        assert NEW_SCOPE in client.get("/policy.md").text
        api = client.get("/api/policy").json()
        assert api["id"] == NEW_VERSION
        assert NEW_SCOPE in {c["text"] for c in api["clauses"]}
        read_people_to_improve_services(store)  # the widened purpose is granted
    assert store.policy().id == NEW_VERSION


@pytest.mark.postgresql
@pytest.mark.clause("changes.effective_on_publication")
def test_a_version_taking_effect_later_is_not_in_effect_yet(
    store: Store, tmp_path: Path
) -> None:
    publish(store)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    publish(
        store,
        write_variant(tmp_path, widen_improve_services),
        effective_at=later,
    )
    shipped = store.policy_in_effect()
    assert shipped.policy.id != NEW_VERSION
    assert shipped.version_row is not None  # the first published version
    with pytest.raises(PurposeDenied):
        read_people_to_improve_services(store)


def test_with_nothing_published_the_policy_file_is_in_effect(store: Store) -> None:
    found = store.policy_in_effect()
    assert found.version_row is None and found.effective_at is None
    assert found.policy == load_policy(DEFAULT_POLICY)
