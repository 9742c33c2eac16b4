"""The CLI contract: every command listed, --json envelopes, exit codes 0/1/2.

Most commands run in this process (tests/cli_runner.py); the help, an
invalid policy's exit code and `demo` then `serve` run the installed
program, as smoke tests of the real process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.cli_runner import Ran, tutela
from tests.factories import StaffUser, signed_in, staff_in
from tutela.policy.loader import DEFAULT_POLICY

TUTELA = str(Path(sys.executable).with_name("tutela"))


def run(*args: str, cwd: Path | None = None, staff: StaffUser | None = None) -> Ran:
    """`tutela args` in this process, with no TUTELA_* setting but `staff`'s."""
    env = signed_in(staff) if staff is not None else {}
    return tutela(*args, env=env, clean_env=True, cwd=cwd)


def run_program(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed `tutela` program, in a process of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTELA_")}
    return subprocess.run(
        [TUTELA, *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_help_lists_every_command() -> None:
    result = run_program("--help")
    assert result.returncode == 0
    for command in ("policy", "keys", "demo", "serve"):
        assert command in result.stdout
    sub = run_program("policy", "--help")
    for command in ("check", "render", "trace"):
        assert command in sub.stdout


def test_version_names_the_installed_package() -> None:
    from importlib.metadata import version

    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"tutela {version('tutela')}"


def test_the_sar_help_names_erasure_and_correction() -> None:
    result = run("sar", "--help")
    assert result.returncode == 0
    for word in ("erasure", "correction", "erase", "correct"):
        assert word in result.stdout


def test_policy_check_json_envelope_on_success() -> None:
    result = run("policy", "check", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["ok"] is True
    assert payload["consistent"] is True
    assert payload["problems"] == []


def test_policy_check_exits_1_listing_problems(tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    data["meaning"]["categories"][0]["fields"].remove("postal_code")
    policy = tmp_path / "narrower.yaml"
    policy.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("policy", "check", "--policy", str(policy), "--json")
    assert result.returncode == 1
    payload = json.loads(result.stdout)
    assert payload["ok"] is False
    assert any("people.postal_code" in p for p in payload["problems"])


def test_invalid_policy_exits_2_with_location(tmp_path: Path) -> None:
    policy = tmp_path / "broken.yaml"
    policy.write_text("schema_version: 2\n", encoding="utf-8")
    result = run_program("policy", "check", "--policy", str(policy))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Error:" in result.stderr and str(policy) in result.stderr
    as_json = run_program("policy", "check", "--policy", str(policy), "--json")
    assert as_json.returncode == 2
    envelope = json.loads(as_json.stdout)
    assert envelope["ok"] is False and envelope["status"] == 400
    assert set(envelope) == {"ok", "error", "errors", "status"}


def test_usage_error_exits_2() -> None:
    assert run("policy", "render", "--format", "pdf").returncode == 2
    assert run("no-such-command").returncode == 2


def test_render_prints_the_policy() -> None:
    result = run("policy", "render")
    assert result.returncode == 0
    assert "under the heading “Subject Access Request”" in result.stdout
    html = run("policy", "render", "--format", "html")
    assert html.stdout.startswith("<!doctype html>")


def test_trace_json_lists_every_clause() -> None:
    result = run("policy", "trace", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    ids = [c["id"] for c in payload["clauses"]]
    assert "collect.service_use.voicemail" in ids and len(ids) == len(set(ids))


def test_keys_rotate_reports_new_key(tmp_path: Path) -> None:
    data = tmp_path / "data"
    officer = staff_in(data)
    first = run("keys", "rotate", "--data", str(data), "--json", staff=officer)
    assert first.returncode == 0, first.stderr
    second = run("keys", "rotate", "--data", str(data), "--json", staff=officer)
    one, two = json.loads(first.stdout), json.loads(second.stdout)
    assert one["new_key_id"] != two["new_key_id"]
    ring = json.loads((data / "keys" / "fields.json").read_text(encoding="utf-8"))
    assert ring["primary"] == two["new_key_id"]
    anonymous = run("keys", "rotate", "--data", str(data), "--json")
    assert anonymous.returncode == 2 and json.loads(anonymous.stdout)["status"] == 401


def test_demo_then_serve_answers_the_policy_page(tmp_path: Path) -> None:
    import socket
    import time
    import urllib.request

    data = tmp_path / "data"
    demo = run("demo", "--data", str(data), "--accounts", "3", "--json")
    assert demo.returncode == 0, demo.stderr
    assert json.loads(demo.stdout)["counts"]["accounts"] == 3
    assert json.loads(demo.stdout)["counts"]["policy_versions"] == 1
    again = run("demo", "--data", str(data), "--accounts", "3", "--json")
    assert json.loads(again.stdout)["counts"]["policy_versions"] == 1
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTELA_")}
    server = subprocess.Popen(
        [TUTELA, "serve", "--data", str(data), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:
                    page = response.read().decode("utf-8")
                break
            except OSError:
                assert server.poll() is None, (
                    server.stderr.read() if server.stderr else ""
                )
                assert time.monotonic() < deadline, "server did not answer"
                time.sleep(0.2)
        assert "Privacy Policy - Jive Communications" in page
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/api/policy/versions"
        ) as r:
            assert json.loads(r.read())["count"] == 1
    finally:
        server.terminate()
        server.wait(timeout=20)
        if server.stderr:
            server.stderr.close()


def test_retention_run_reports_what_it_swept_and_keeps_voicemail(
    tmp_path: Path,
) -> None:
    officer = staff_in(tmp_path / "data")
    result = run(
        "retention", "run", "--data", str(tmp_path / "data"), "--json", staff=officer
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["deleted"]["web_visits"] == 0
    assert payload["deleted"]["sar_cases"] == 0
    assert payload["kept_until_customer_deletes"] == ["voicemail"]
    assert list(payload["kept"]) == ["policy_subscriptions"]
    assert payload["not_swept"] == []
    assert payload["salts_destroyed"] == 0
    verify = run("audit", "verify", "--data", str(tmp_path / "data"), "--json")
    assert json.loads(verify.stdout)["audit"]["entries"] >= 1


def test_retention_run_destroys_yesterdays_visitor_salt(tmp_path: Path) -> None:
    import datetime as dt

    from tutela.collect.weblog.ingest import salts_for

    data = tmp_path / "data"
    salts = salts_for(data)
    today = dt.datetime.now(dt.UTC).date()
    salts.salt_for(today - dt.timedelta(days=1))
    salts.salt_for(today)
    officer = staff_in(data)
    result = run("retention", "run", "--data", str(data), "--json", staff=officer)
    assert json.loads(result.stdout)["salts_destroyed"] == 1
    assert salts_for(data).horizon() == today


def test_error_messages_print_whole_even_with_brackets(tmp_path: Path) -> None:
    # "<input> [format]: ..." names the field; it is text, not console markup.
    done = run(
        "ingest", "cdr", "/dev/null", "--format", "bogus", "--data", str(tmp_path)
    )
    assert done.returncode == 2
    assert "[format]" in done.stderr
