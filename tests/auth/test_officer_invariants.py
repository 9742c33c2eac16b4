"""Officers' invariants hold under concurrency: checked and changed in one locked transaction.

Clause: secure.measures (nobody disables or demotes themselves or the last
privacy officer who can sign in: the deployment always keeps someone who
can undo a mistake).

Two officers who disable each other at the same moment must leave one of
them. Each thread is held, after its checks and before its change, at a
barrier both would reach if the checks ran outside the lock (as they once
did: "not yourself, not the last" in one transaction, the disable in
another); under the lock the second cannot even check until the first has
committed, so the barrier breaks with one thread at it, and the second then
sees one officer left and is refused. Real SQLite and PostgreSQL, real
threads, no mock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import select

from tests.factories import StaffUser, add_staff, bootstrap_officers
from tutela.auth import change_role, disable_by_id, disable_user, user_admin
from tutela.auth import signin as signin_module
from tutela.errors import Conflict, TutelaError
from tutela.store.db import Store
from tutela.store.models import User

pytestmark = pytest.mark.clause("secure.measures")

# How long a thread that passed its checks waits for the other to pass too.
# Under the lock the other never can, so this is how long the test takes,
# not a limit anything must beat.
HOLD_SECONDS = 3.0


def active_officers(store: Store) -> list[int]:
    with store.session() as session:
        return list(
            session.scalars(
                select(User.id).where(
                    User.role == "privacy_officer", User.disabled_at.is_(None)
                )
            )
        )


def disable(store: Store, me: StaffUser, other: StaffUser) -> Callable[[], object]:
    return lambda: disable_by_id(store, other.id, actor=me.actor)


def demote(store: Store, me: StaffUser, other: StaffUser) -> Callable[[], object]:
    return lambda: change_role(store, other.id, "auditor", actor=me.actor)


@pytest.mark.parametrize(
    "second_act", [disable, demote], ids=["both_disable", "disable_and_demote"]
)
def test_two_officers_acting_on_each_other_at_once_leave_one(
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    second_act: Callable[[Store, StaffUser, StaffUser], Callable[[], object]],
) -> None:
    first, second = bootstrap_officers(store)
    add_staff(store, "auditor")
    barrier = threading.Barrier(2)
    checked: list[str] = []

    def between_check_and_act() -> None:
        checked.append(threading.current_thread().name)
        try:
            barrier.wait(timeout=HOLD_SECONDS)
        except threading.BrokenBarrierError:
            pass

    monkeypatch.setattr(user_admin, "_between_check_and_act", between_check_and_act)
    outcomes: dict[str, str] = {}

    def run(name: str, act: Callable[[], object]) -> None:
        try:
            act()
            outcomes[name] = "done"
        except TutelaError as exc:
            outcomes[name] = exc.message

    threads = [
        threading.Thread(
            target=run, name="first", args=("first", disable(store, first, second))
        ),
        threading.Thread(
            target=run,
            name="second",
            args=("second", second_act(store, second, first)),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    # One got through its checks; the other was refused AT them, never
    # reaching the point between check and act while the first held the lock.
    assert len(checked) == 1, checked
    assert barrier.broken
    assert sorted(outcomes.values()) == ["done", user_admin.LAST_OFFICER]
    assert active_officers(store) in ([first.id], [second.id])


def test_the_only_public_disable_checks_and_the_unchecked_one_is_private(
    store: Store,
) -> None:
    only = add_staff(store)
    assert not hasattr(signin_module, "disable_user")
    # No staff member behind it (the root of trust): still not the last officer.
    with pytest.raises(Conflict, match="last privacy officer"):
        disable_user(store, email=only.email)
    with pytest.raises(Conflict, match="yourself"):
        disable_by_id(store, only.id, actor=only.actor)
    assert active_officers(store) == [only.id]


def test_a_demotion_keeps_the_disable_rules(store: Store) -> None:
    first, second = bootstrap_officers(store)
    with pytest.raises(Conflict, match="your own role"):
        change_role(store, first.id, "auditor", actor=first.actor)
    change_role(store, second.id, "auditor", actor=first.actor)
    with pytest.raises(Conflict, match="last privacy officer"):
        change_role(store, first.id, "billing", actor="system:cli")
    assert active_officers(store) == [first.id]
