"""Daily salts: policy "information collected from use of [the] websites is not
associated with any personally identifiable information"."""

from __future__ import annotations

import stat
from collections.abc import Callable
from datetime import UTC, date, datetime
from ipaddress import IPv4Address
from pathlib import Path

import pytest

from tutela.collect.weblog import (
    DirectorySaltStore,
    Hit,
    MemorySaltStore,
    Rejection,
    SaltStore,
    SaltUnavailable,
    Visit,
    VisitorHasher,
    WebLogPipeline,
    make_hit,
)

MAR_10, MAR_11 = date(2024, 3, 10), date(2024, 3, 11)
StoreFactory = Callable[[Path], SaltStore]
STORES: list[StoreFactory] = [lambda _: MemorySaltStore(), DirectorySaltStore]


@pytest.mark.clause("scope.web_unlinked")
@pytest.mark.parametrize("factory", STORES, ids=["memory", "directory"])
def test_each_utc_day_gets_its_own_random_salt(
    factory: StoreFactory, tmp_path: Path
) -> None:
    store = factory(tmp_path)
    assert isinstance(store, SaltStore)
    assert store.salt_for(MAR_10) == store.salt_for(MAR_10)
    assert store.salt_for(MAR_10) != store.salt_for(MAR_11)
    assert len(store.salt_for(MAR_10)) == 32
    assert store.horizon() is None


@pytest.mark.clause("scope.web_unlinked")
@pytest.mark.parametrize("factory", STORES, ids=["memory", "directory"])
def test_destroyed_salt_makes_yesterdays_hash_unrecomputable(
    factory: StoreFactory, tmp_path: Path
) -> None:
    store = factory(tmp_path)
    hasher = VisitorHasher(store)
    ip = IPv4Address("192.0.2.7")
    yesterday = hasher.visitor_hash(MAR_10, "www.example.com", ip, "UA")
    today = hasher.visitor_hash(MAR_11, "www.example.com", ip, "UA")
    assert store.destroy_before(MAR_11) == 1
    with pytest.raises(SaltUnavailable) as caught:
        hasher.visitor_hash(MAR_10, "www.example.com", ip, "UA")
    assert "192.0.2.7" not in str(caught.value)
    assert hasher.visitor_hash(MAR_11, "www.example.com", ip, "UA") == today
    assert store.horizon() == MAR_11
    # The horizon never moves back, and no new salt is drawn for a closed day.
    assert store.destroy_before(MAR_10) == 0
    with pytest.raises(SaltUnavailable):
        store.salt_for(MAR_10)
    assert yesterday != today


@pytest.mark.clause("scope.web_unlinked")
def test_directory_store_shreds_files_and_survives_restart(tmp_path: Path) -> None:
    first = DirectorySaltStore(tmp_path)
    salt = first.salt_for(MAR_10)
    first.salt_for(MAR_11)
    path = tmp_path / "2024-03-10.salt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert DirectorySaltStore(tmp_path).salt_for(MAR_10) == salt  # shared by workers
    DirectorySaltStore(tmp_path).destroy_before(MAR_11)  # another process
    assert not path.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2024-03-11.salt", "horizon"]
    with pytest.raises(SaltUnavailable):
        first.salt_for(MAR_10)  # the cached salt is not used after the horizon moved
    with pytest.raises(SaltUnavailable):
        DirectorySaltStore(tmp_path).salt_for(MAR_10)


@pytest.mark.clause("scope.web_unlinked")
def test_hits_of_a_closed_day_are_rejected_not_rehashed() -> None:
    store = MemorySaltStore()
    store.destroy_before(MAR_11)
    pipeline = WebLogPipeline(store)
    old = make_hit(
        site="www.example.com",
        ip="192.0.2.7",
        path="/",
        user_agent="Mozilla/5.0 (X11; Linux x86_64)",
        time=datetime(2024, 3, 10, 23, 0, tzinfo=UTC),
    )
    new = make_hit(
        site="www.example.com",
        ip="192.0.2.7",
        path="/",
        user_agent="Mozilla/5.0 (X11; Linux x86_64)",
        time=datetime(2024, 3, 11, 1, 0, tzinfo=UTC),
    )
    assert isinstance(old, Hit) and isinstance(new, Hit)
    out = list(pipeline.process([old, new]))
    assert isinstance(out[0], Rejection) and out[0].field == "time"
    assert "2024-03-10" in out[0].reason and "192.0.2.7" not in repr(out[0])
    assert isinstance(out[1], Visit)
    assert pipeline.counts.rejected == 1 and pipeline.counts.visits == 1
