"""`tutela policy trace` finds the tests that prove each clause, by reading them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.samples import REPO
from tutela.conformance.trace import find_clause_tests, trace, unknown_clause_markers
from tutela.policy.loader import DEFAULT_POLICY, load_policy

TEST_MODULE = """
import pytest

pytestmark = [pytest.mark.clause("intro.scope")]


@pytest.mark.clause("rights.access")
def test_one() -> None:
    assert True


class TestGroup:
    @pytest.mark.clause("rights.access", "changes.notice")
    def test_two(self) -> None:
        assert True


@pytest.mark.parametrize(
    "x", [pytest.param(1, marks=pytest.mark.clause("contact.questions")), 2]
)
def test_three(x: int) -> None:
    assert x


def helper() -> None:
    pass
"""


def test_markers_on_functions_classes_and_modules_are_found(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_x.py").write_text(TEST_MODULE, encoding="utf-8")
    found = find_clause_tests(tests)
    assert sorted(found["rights.access"]) == [
        "tests/test_x.py::TestGroup::test_two",
        "tests/test_x.py::test_one",
    ]
    assert found["changes.notice"] == ["tests/test_x.py::TestGroup::test_two"]
    assert found["contact.questions"] == ["tests/test_x.py::test_three"]
    assert sorted(found["intro.scope"]) == [
        "tests/test_x.py::TestGroup::test_two",
        "tests/test_x.py::test_one",
        "tests/test_x.py::test_three",
    ]


@pytest.mark.clause("changes.check_regularly")
def test_this_repository_traces_the_render_test_to_its_clause() -> None:
    entries = {
        e.id: e
        for e in trace(
            load_policy(DEFAULT_POLICY),
            code_dir=REPO / "tutela",
            tests_dir=REPO / "tests",
        )
    }
    assert any("test_render.py" in t for t in entries["changes.check_regularly"].tests)
    assert "tutela/web/routes/policy.py" in entries["changes.check_regularly"].code


def test_no_test_marks_a_clause_the_policy_lacks() -> None:
    assert unknown_clause_markers(load_policy(DEFAULT_POLICY), REPO / "tests") == {}
