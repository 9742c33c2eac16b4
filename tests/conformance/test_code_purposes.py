"""`tutela policy check` fails when code names a purpose the policy does not declare.

Clause: use.purposes (personal information is used for the purposes the
policy lists, and no other). DESIGN: "every purpose used in code is declared".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.changes.policies import PolicyData, purpose, write_variant
from tests.cli_runner import tutela
from tests.samples import REPO
from tutela.access.roles import SUBJECT_ACCESS
from tutela.conformance.code_purposes import purpose_problems, purposes_named_in_code
from tutela.policy.loader import DEFAULT_POLICY, load_policy

SHIPPED = load_policy(DEFAULT_POLICY)

CONSTANTS = """
from typing import Final

PURPOSE: Final = "respond_to_requests"
BROKER_PURPOSE = "sell_to_brokers"
"""

USES = """
from fake.constants import PURPOSE as REQUESTS
from fake import constants


def read(store, actor, access, require_purpose, record):
    with access(store, actor=actor, purpose="profile_callers") as use:
        use.select()
    record(store, actor=actor, purpose=REQUESTS)
    record(store, actor=actor, purpose=constants.BROKER_PURPOSE)
    record(store, actor=actor, purpose=actor.purpose)  # dynamic: the gate's job
    return require_purpose("resell_call_records")
"""


def write_package(root: Path) -> Path:
    package = root / "fake"
    package.mkdir()
    (package / "__init__.py").write_text('"""fake"""\n', encoding="utf-8")
    (package / "constants.py").write_text(CONSTANTS, encoding="utf-8")
    (package / "uses.py").write_text(USES, encoding="utf-8")
    return package


@pytest.mark.clause("use.purposes")
def test_an_undeclared_purpose_named_in_code_is_a_problem(tmp_path: Path) -> None:
    problems = purpose_problems(SHIPPED, write_package(tmp_path))
    assert problems == [
        f"fake/{where} names purpose {name!r}, which the policy does not declare"
        for where, name in [
            ("constants.py:5", "sell_to_brokers"),
            ("uses.py:7", "profile_callers"),
            ("uses.py:10", "sell_to_brokers"),
            ("uses.py:12", "resell_call_records"),
        ]
    ]


def test_a_declared_purpose_is_found_through_constants_and_imports(
    tmp_path: Path,
) -> None:
    named = purposes_named_in_code(write_package(tmp_path))
    requests = {n.where for n in named if n.purpose == "respond_to_requests"}
    assert requests == {"fake/constants.py:4", "fake/uses.py:9"}


@pytest.mark.clause("use.purposes")
def test_every_purpose_this_code_names_is_declared() -> None:
    named = purposes_named_in_code(REPO / "tutela")
    assert {n.purpose for n in named} >= {
        "deliver_services",
        "respond_to_requests",
        "improve_websites_and_ads",
        SUBJECT_ACCESS,
    }
    problems = purpose_problems(
        SHIPPED, REPO / "tutela", also_declared={SUBJECT_ACCESS}
    )
    assert problems == []


def drop_deliver_services(data: PolicyData) -> None:
    data["meaning"]["purposes"].remove(purpose(data, "deliver_services"))
    for recipient in data["meaning"]["recipients"]:
        if "deliver_services" in recipient.get("purposes", []):
            recipient["purposes"].remove("deliver_services")


@pytest.mark.clause("use.purposes")
def test_policy_check_fails_when_the_policy_drops_a_purpose_the_code_uses(
    tmp_path: Path,
) -> None:
    narrowed = write_variant(tmp_path, drop_deliver_services)
    result = tutela(
        "policy", "check", "--policy", str(narrowed), "--json", clean_env=True
    )
    assert result.returncode == 1, result.stderr
    problems = json.loads(result.stdout)["problems"]
    assert any(
        p.startswith("tutela/collect/voicemail/mailbox.py:")
        and p.endswith(
            " names purpose 'deliver_services', which the policy does not declare"
        )
        for p in problems
    )
    assert (
        "role support_agent is granted purpose 'deliver_services', which the "
        "policy does not declare"
    ) in problems
