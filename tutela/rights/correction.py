"""Fulfil a correction request: the subject's own contact fields, set right.

Clauses: rights.access (the export told the subject "you may ask us to
correct or delete data"), rights.access.request and
rights.access.verification (a correction comes through the same intake,
verification and deadlines as access; only a verified case corrects, and
only a person the verification made its subject). The corrected values
come from the subject's request (staff read them out of it); each is
checked as on entry (`tutela.collect.correction`). The case's outcome
records which fields were corrected and the old value's fate (overwritten,
not kept), never a value; the audit log gets the same, by surrogate id.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from tutela.collect.correction import FIELDS, correct_person
from tutela.config import Settings
from tutela.errors import Conflict, Forbidden, InvalidInput, NotFound
from tutela.rights.cases import CaseView, State, changing, person_ids_of, show_case
from tutela.rights.decisions import _notify, reply_channel
from tutela.store import Store
from tutela.store.models import SarCase

OLD_VALUE_FATE = "overwritten, not kept"


def correct_case(
    store: Store,
    case_id: int,
    *,
    changes: Mapping[str, str],
    actor: str,
    settings: Settings,
    person_id: int | None = None,
) -> CaseView:
    """verified correction case -> fulfilled, with the fields set as asked."""
    if not changes:
        raise InvalidInput("name at least one field to correct", field="set")
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise InvalidInput(f"use fields from {sorted(FIELDS)}", field="set")
    with store.session() as session:
        case = session.get(SarCase, case_id)
        if case is None:
            raise NotFound(f"case {case_id} does not exist; see `tutela sar list`")
        _check_ready(case)
        subjects = person_ids_of(case)
    if person_id is None:
        if len(subjects) != 1:
            raise InvalidInput(
                f"the case names {len(subjects)} people; say which (--person)",
                field="person",
            )
        person_id = subjects[0]
    if person_id not in subjects:
        raise Forbidden(
            f"person {person_id} is not a verified subject of case {case_id}"
        )
    to = reply_channel(store, case_id)
    with changing(store, case_id) as change:
        _check_ready(change.case)
        done = [
            {
                "person_id": person_id,
                "field": field,
                "changed": correct_person(change.session, person_id, field, value),
                "old_value": OLD_VALUE_FATE,
            }
            for field, value in sorted(changes.items())
        ]
        change.case.outcome = json.dumps({"corrections": done})
        change.move(State.fulfilled, actor=actor, details={"corrections": done})
        _notify(
            store,
            settings,
            change,
            "sar_correction",
            correction_message(change.case.ref, done),
            to,
        )
    return show_case(store, case_id)


def _check_ready(case: SarCase) -> None:
    if case.kind != "correction":
        raise Conflict(f"case {case.id} is an {case.kind} request, not a correction")
    state = State(case.state)
    if state is State.fee_requested and case.fee_paid_at is None:
        raise Conflict(f"case {case.id} awaits its fee; record payment first")
    if state not in (State.verified, State.fee_requested):
        raise Conflict(
            f"case {case.id} is {state}; only a verified request can correct anything"
        )


def correction_message(ref: str, done: list[dict[str, object]]) -> tuple[str, str]:
    """The response: which fields were corrected (no values)."""
    changed = [str(d["field"]).replace("_", " ") for d in done if d["changed"]]
    same = [str(d["field"]).replace("_", " ") for d in done if not d["changed"]]
    lines = [f"We have acted on your correction request {ref}.", ""]
    lines.append("Corrected: " + (", ".join(changed) or "-"))
    if same:
        lines.append("Already as you asked: " + ", ".join(same))
    lines.append("The old values were overwritten; we do not keep them.")
    return f"Decision on your correction request [{ref}]", "\n".join(lines) + "\n"


__all__ = ["OLD_VALUE_FATE", "correct_case", "correction_message"]
