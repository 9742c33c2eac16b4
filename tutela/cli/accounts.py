"""`tutela accounts close REF`: the customer relationship ends.

Policy: "Kept while the business is a customer, then as the law requires"
(`while_customer` retention). Closing is a decision about personal data, so
a privacy officer signs in (`--as EMAIL`) and the closing is audited as
that person. The data goes at the next `tutela retention run` once
TUTELA_FORMER_CUSTOMER_DAYS have passed, except what TUTELA_LEGAL_HOLDS keep.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tutela.cli._output import DataOption, JsonOption, emit_json, settings_for, stdout
from tutela.cli._staff import AsOption

app = typer.Typer(help="Business accounts: close a customer's account.")


@app.command("close")
def close_command(
    ref: Annotated[
        str, typer.Argument(help="The account's public number.", show_default=False)
    ],
    data: DataOption = None,
    as_email: AsOption = None,
    json: JsonOption = False,
) -> None:
    """Close an account: its holdings end and the former-customer rules start.

    `tutela retention run` then erases its calls, recordings, voicemail,
    communications, contacts, numbers, payment and porting data once
    TUTELA_FORMER_CUSTOMER_DAYS have passed, keeping what a legal hold names
    until the hold's end.
    """
    from tutela.cli._staff import privacy_officer
    from tutela.collect.closing import close_by_ref
    from tutela.store import open_store

    settings = settings_for(data)
    with open_store(settings) as store:
        staff = privacy_officer(store, settings, as_email, action="close an account")
        closed = close_by_ref(store, ref, actor=staff.actor.id)
    if json:
        emit_json(
            closed.as_dict() | {"former_customer_days": settings.former_customer_days}
        )
        return
    stdout.print(
        f"account {closed.account} closed at {closed.closed_at:%Y-%m-%d %H:%M} UTC; "
        f"its data goes {settings.former_customer_days} days later at "
        "`tutela retention run`, except what a legal hold keeps",
        markup=False,
    )
