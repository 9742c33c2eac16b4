"""Customize the services: an account's dial-by-name directory.

Clause: use.purposes.customize_services ("to customize its services"). The
phone system's directory of an account (extension -> who answers it) is
built from the extension assignments and the assignees' names, read through
the gate under ``customize_services``; a customer's admin or user reads only
their own account's (the gate refuses another account's).
"""

from __future__ import annotations

from typing import Final

from tutela.access import Actor, access
from tutela.store import Store
from tutela.store.models import Extension, Person

PURPOSE: Final = "customize_services"


def extension_directory(
    store: Store, *, actor: Actor, account_id: int
) -> list[tuple[str, str]]:
    """(extension, name) of every assigned extension of the account, in order."""
    with access(store, actor=actor, purpose=PURPOSE) as use:
        rows = use.rows(
            Extension.extension,
            Person.name,
            where=[
                Extension.account_id == account_id,
                Extension.person_id == Person.id,
            ],
            order_by=[Extension.extension],
        )
    return [(str(extension), str(name)) for extension, name in rows]


__all__ = ["PURPOSE", "extension_directory"]
