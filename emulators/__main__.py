"""`python -m emulators`: the command behind `make run`.

Starts the whole local cloud (emulators, database, every function of the manifest behind the runner),
prints where everything is, writes `<state-dir>/stack.json` (endpoints and process ids, for other local
tools), and on Ctrl-C or SIGTERM stops everything it started.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from emulators.auth_users import AuthEmulatorUsers, SignedIn
from emulators.components import MissingComponentsError
from emulators.demo import (
    ADMIN_EMAIL,
    DEMO_USERS,
    SAMPLE_ORDER,
    SAMPLE_QUERY,
    load_demo_catalogue,
    place_demo_orders,
)
from emulators.processes import ServiceStartError
from emulators.services import FakeGateway
from emulators.stack import LocalCloud, StackOptions, Storage
from emulators.web import WebApp
from shared.bus.manifest import DEFAULT_MANIFEST, Manifest, ManifestError

app = typer.Typer(add_completion=False, help="Kiroku's local cloud.")
console = Console()


@app.callback()
def main() -> None:
    """Kiroku's local cloud: `run` starts it."""


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _web_app(cloud: LocalCloud, graphql_url: str) -> WebApp:
    """The web app, started against this cloud (built first if it never was)."""
    app = WebApp.beside(cloud, graphql_url)
    app.start()
    return app


@app.command()
def run(
    storage: Annotated[str, typer.Option(help="postgres or firestore", envvar="KIROKU_STORAGE")] = "postgres",
    manifest: Annotated[Path, typer.Option(help="the manifest to wire")] = DEFAULT_MANIFEST,
    state_dir: Annotated[Path, typer.Option(help="where data and logs are kept")] = Path(".kiroku"),
    auth: Annotated[bool, typer.Option(help="start the Firebase Auth emulator and the demo users")] = True,
    demo: Annotated[
        bool, typer.Option(help="load the demo catalogue and the demo writer's orders (once)")
    ] = True,
    fresh: Annotated[bool, typer.Option(help="start from an empty database")] = False,
    web: Annotated[bool, typer.Option(help="serve the web app (web/) beside the stack")] = True,
) -> None:
    """Start the local cloud and keep it running until Ctrl-C."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if storage not in ("postgres", "firestore"):
        raise typer.BadParameter("storage must be postgres or firestore", param_hint="--storage")
    chosen: Storage = "firestore" if storage == "firestore" else "postgres"
    try:
        loaded = Manifest.load(manifest)
    except ManifestError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    for stop_signal in (signal.SIGINT, signal.SIGTERM):  # SIGINT too: a background job may inherit it ignored
        signal.signal(stop_signal, _raise_interrupt)
    state_dir = state_dir.resolve()
    options = StackOptions(
        storage=chosen,
        auth=auth,
        ephemeral=fresh,
        state_dir=state_dir,
        manifest=loaded,
        extra_env={"ADMIN_EMAIL": ADMIN_EMAIL},
    )
    try:
        with LocalCloud(options) as cloud, ExitStack() as beside:
            assert cloud.runner is not None
            endpoints = {name: cloud.runner.url(name) for name in cloud.runner.servers}
            app = _web_app(cloud, endpoints["graphql"]) if web and "graphql" in endpoints else None
            if app is not None:
                beside.callback(app.stop)
                console.print(f"Web app: [bold]{app.url}[/bold]")
            (state_dir / "stack.json").write_text(
                json.dumps(
                    {
                        "environment": cloud.environment(),
                        "functions": endpoints,
                        "web": app.url if app is not None else None,
                        "pids": cloud.pids() + (app.pids() if app is not None else []),
                    },
                    indent=2,
                )
            )
            table = Table(title="Kiroku local cloud")
            table.add_column("what")
            table.add_column("where")
            for key, value in sorted(cloud.environment().items()):
                table.add_row(key, value)
            for name, url in endpoints.items():
                table.add_row(f"function {name}", url)
            for service in cloud.services:
                if isinstance(service, FakeGateway):
                    table.add_row("fake payment/shipping gateway", service.url)
            table.add_row("logs", str(cloud.log_dir))
            console.print(table)
            graphql_url = endpoints.get("graphql")
            if auth and graphql_url:
                users = _demo_users(cloud.environment())
                if demo:
                    created = load_demo_catalogue(graphql_url, users["admin"].id_token)
                    console.print(
                        f"demo catalogue: {created} records created" if created else "demo catalogue: present"
                    )
                    if created:
                        orders = place_demo_orders(graphql_url, users["writer"].id_token)
                        console.print(f"demo orders of {DEMO_USERS['writer'][0]}: {', '.join(orders)}")
                console.print(
                    "ID tokens for the demo users: [bold]make token USER=admin[/bold] (or USER=writer)"
                )
            if graphql_url:
                console.print(f"GraphQL: [bold]{graphql_url}[/bold]  (GraphiQL: open it in a browser)")
                console.print(
                    f"try: curl -s {graphql_url} -H 'Content-Type: application/json' "
                    f"-d '{json.dumps({'query': SAMPLE_QUERY})}'",
                    highlight=False,
                    soft_wrap=True,
                )
                if auth:
                    order = {"query": SAMPLE_ORDER}
                    console.print(
                        f"place an order as the demo writer: curl -s {graphql_url} -H 'Content-Type: "
                        'application/json\' -H "Authorization: Bearer $(make -s token USER=writer)" '
                        f"-d '{json.dumps(order)}'",
                        highlight=False,
                        soft_wrap=True,
                    )
            if app is not None:
                console.print(f"Web app (storefront and console): [bold]{app.url}[/bold]")
            console.print(
                "[green]Kiroku is running.[/green] Press Ctrl-C to stop everything.", highlight=False
            )
            sys.stdout.flush()
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        console.print("stopping...")
    except (MissingComponentsError, ServiceStartError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    console.print("stopped.")


def _demo_users(environment: dict[str, str]) -> dict[str, SignedIn]:
    users = AuthEmulatorUsers(environment["FIREBASE_AUTH_EMULATOR_HOST"], environment["GOOGLE_CLOUD_PROJECT"])
    return {
        role: users.ensure_user(email, password, email_verified=True)
        for role, (email, password) in DEMO_USERS.items()
    }


@app.command()
def token(
    user: Annotated[str, typer.Argument(help="admin or writer")] = "writer",
    state_dir: Annotated[Path, typer.Option(help="the state dir of the running `make run`")] = Path(
        ".kiroku"
    ),
) -> None:
    """Print a fresh ID token of a demo user of the running local cloud."""
    if user not in DEMO_USERS:
        raise typer.BadParameter(f"choose one of {', '.join(DEMO_USERS)}", param_hint="USER")
    try:
        environment = json.loads((state_dir / "stack.json").read_text())["environment"]
    except (OSError, ValueError, KeyError):
        console.print("[red]no running local cloud found: start it with `make run`[/red]")
        raise typer.Exit(1) from None
    if "FIREBASE_AUTH_EMULATOR_HOST" not in environment:
        console.print("[red]the local cloud runs without the Auth emulator (--no-auth)[/red]")
        raise typer.Exit(1)
    email, password = DEMO_USERS[user]
    users = AuthEmulatorUsers(environment["FIREBASE_AUTH_EMULATOR_HOST"], environment["GOOGLE_CLOUD_PROJECT"])
    print(users.sign_in(email, password).id_token)


if __name__ == "__main__":
    app()
