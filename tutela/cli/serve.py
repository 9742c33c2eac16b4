"""`tutela serve` and `tutela demo`: run the console, build the demo data set."""

from __future__ import annotations

from typing import Annotated

import typer

from tutela.cli._output import (
    DataOption,
    JsonOption,
    emit_json,
    settings_for,
    stderr,
    stdout,
)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
    app.command("demo")(demo_command)


def serve_command(
    data: DataOption = None,
    host: Annotated[
        str | None, typer.Option(help="Listen address (default 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Listen port (default 8000).")
    ] = None,
) -> None:
    """Serve the staff console, public pages and API (default http://127.0.0.1:8000)."""
    import uvicorn

    from tutela.audit.sealing import sealing_every
    from tutela.store import open_store
    from tutela.web.app import create_app
    from tutela.web.server import server_config

    settings = settings_for(data)
    open_store(settings).close()  # create and migrate before the first request
    bind_host = host or settings.host
    bind_port = port or settings.port
    stderr.print(f"Tutela on http://{bind_host}:{bind_port}", markup=False)
    config = server_config(
        create_app(settings), settings, host=bind_host, port=bind_port
    )
    # What requests append is signed and witnessed while the server runs.
    with sealing_every(settings.audit_seal_seconds):
        uvicorn.Server(config).run()


def demo_command(
    data: DataOption = None,
    accounts: Annotated[
        int, typer.Option(min=1, help="Number of business accounts.")
    ] = 200,
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same data.")
    ] = 7,
    json: JsonOption = False,
) -> None:
    """Build a realistic synthetic data set through the real ingest paths."""
    from tutela.changes import publish_policy, published_versions
    from tutela.errors import TutelaError
    from tutela.store import open_store

    try:
        from tutela.demo import build_demo
        from tutela.demo.users import build_demo_users, format_demo_logins
    except ModuleNotFoundError as missing:
        if missing.name != "faker":
            raise
        # The demo's fake people come from Faker, in the demo extra only.
        raise TutelaError(
            "tutela demo needs the demo extra (Faker): "
            "pip install 'tutela[demo]', or make run"
        ) from None

    settings = settings_for(data)
    with open_store(settings) as store:
        summary = build_demo(store, accounts=accounts, seed=seed)
        # The policy the demo enforces, as its first published version (the
        # first publication announces nothing; a re-run publishes nothing).
        publish_policy(
            store,
            store.policy_file,
            sender=settings.mail_from,
            policy_url=settings.public_link("/policy"),
            actor="system:demo",
        )
        with store.session() as session:
            versions = len(published_versions(session))
        # Fresh random passwords on every run, shown once on the terminal only.
        stderr.print(format_demo_logins(build_demo_users(store)), markup=False)
    counts = {**summary.as_dict(), "policy_versions": versions}
    if json:
        emit_json({"data": str(store.data_dir), "counts": counts})
    else:
        for name, count in counts.items():
            stdout.print(f"{name:>24}  {count}", markup=False)
