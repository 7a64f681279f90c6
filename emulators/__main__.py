"""`python -m emulators`: the command behind `make run`.

Starts the whole local cloud (emulators, database, every function of the manifest behind the runner),
prints where everything is, writes `<state-dir>/stack.json` (endpoints and process ids, for other local
tools), and on Ctrl-C or SIGTERM stops everything it started. The web app is built (when its sources
changed) while the stack starts, and each phase's time is printed once both answer, with the time since
`make run` began (KIROKU_RUN_STARTED, which the Makefile sets) when there is one.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
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
from emulators.web import WebApp, build_if_stale
from shared.bus.manifest import DEFAULT_MANIFEST, Manifest, ManifestError

app = typer.Typer(add_completion=False, help="Kiroku's local cloud.")
console = Console()


@app.callback()
def main() -> None:
    """Kiroku's local cloud: `run` starts it."""


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


class _Phases:
    """How long each phase of the start took: where a first `make run` spends its time."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def timed(self, phase: str) -> Iterator[None]:
        started = time.monotonic()
        yield
        self.seconds[phase] = time.monotonic() - started

    def print(self, what: str) -> None:
        """One line: each phase's time, and the time since `make run` began when the Makefile said."""
        parts = ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in self.seconds.items())
        began = os.environ.get("KIROKU_RUN_STARTED")
        since = (
            f"; {time.time() - float(began):.0f} s after `make run` began, set-up included" if began else ""
        )
        console.print(f"{what}: {parts}{since}", highlight=False, soft_wrap=True)


def _web_build(phases: _Phases) -> None:
    with phases.timed("web app build, beside the stack"):
        build_if_stale()


def _web_app(cloud: LocalCloud, graphql_url: str, building: Future[None], phases: _Phases) -> WebApp:
    """The web app, started against this cloud once its build is there."""
    building.result()
    with phases.timed("web app start"):
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
    phases = _Phases()
    try:
        with ExitStack() as beside:
            building = beside.enter_context(ThreadPoolExecutor(1)).submit(_web_build, phases) if web else None
            with phases.timed("emulators, database and functions"):
                cloud = beside.enter_context(LocalCloud(options))
            assert cloud.runner is not None
            endpoints = {name: cloud.runner.url(name) for name in cloud.runner.servers}
            app = None
            if building is not None and "graphql" in endpoints:
                app = _web_app(cloud, endpoints["graphql"], building, phases)
                beside.callback(app.stop)
                console.print(f"Web app: [bold]{app.url}[/bold]")
            phases.print("answering")
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
                    demo_phases = _Phases()
                    with demo_phases.timed("demo catalogue"):
                        created = load_demo_catalogue(graphql_url, users["admin"].id_token)
                    console.print(
                        f"demo catalogue: {created} records created" if created else "demo catalogue: present"
                    )
                    if created:
                        with demo_phases.timed("demo orders"):
                            orders = place_demo_orders(graphql_url, users["writer"].id_token)
                        console.print(f"demo orders of {DEMO_USERS['writer'][0]}: {', '.join(orders)}")
                    demo_phases.print("demo data")
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
    except subprocess.CalledProcessError:
        console.print("[red]the web app's build failed (its output is above)[/red]")
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
