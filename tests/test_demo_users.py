"""Demo sign-in users: fresh random passwords every run, never a fixed one."""

from __future__ import annotations

import logging

import pytest

from tutela.auth.signin import AuthenticationFailed, list_users, sign_in
from tutela.demo.customers import build_customers
from tutela.demo.users import OFFICER, build_demo_users, format_demo_logins
from tutela.store.db import Store

pytestmark = pytest.mark.clause("secure.measures")


def test_demo_users_get_new_passwords_on_every_run_and_none_are_logged(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    build_customers(store, accounts=4, seed=7)
    with caplog.at_level(logging.DEBUG):
        first = build_demo_users(store)
    assert [x.email for x in first] == [OFFICER] + [
        f"customer{n}@tutela.example" for n in (1, 2, 3)
    ]
    assert all(
        x.password not in caplog.text and x.email not in caplog.text for x in first
    )
    assert all(x.password not in repr(x) for x in first)
    assert first[0].password in format_demo_logins(first)
    assert f"TUTELA_STAFF={OFFICER}" in format_demo_logins(first)
    second = build_demo_users(store)
    assert len(list_users(store)) == 4
    with pytest.raises(AuthenticationFailed):
        sign_in(store, email=OFFICER, password=first[0].password)
    assert sign_in(store, email=OFFICER, password=second[0].password).token
    customer = sign_in(store, email=second[1].email, password=second[1].password)
    assert customer.principal.is_customer
