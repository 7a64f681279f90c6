"""`kiroku`: the operator's command line (`.venv/bin/kiroku`, the `kiroku` script of pyproject.toml).

The options before the command say where it acts (kiroku_cli/target.py): the local cloud of `.kiroku/`
by default, or `--project P --storage postgres|firestore` for a deployed environment. Every command prints
a table (or JSON with `--json`) and exits 1 when it finds a problem, 2 when it cannot act at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kiroku_cli import audit, dead_letters, log, outbox, projections, sagas, seed, status, trace
from kiroku_cli.target import DEFAULT_STATE_DIR, StorageName, TargetOptions
from shared.interpreter import tune_garbage_collector

app = typer.Typer(
    name="kiroku",
    help="Operate Kiroku: see the stack's status, rebuild read models, handle dead letters, check and move "
    "the event log, follow sagas and their traces, drain the outbox, seed demo data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    state_dir: Annotated[
        Path, typer.Option(envvar="KIROKU_STATE_DIR", help="The local cloud's state dir (its stack.json).")
    ] = DEFAULT_STATE_DIR,
    project: Annotated[
        str | None,
        typer.Option(help="A deployed environment's Google Cloud project (application default credentials)."),
    ] = None,
    storage: Annotated[
        str | None,
        typer.Option(help="postgres or firestore: the storage of --project (or another local one)."),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="The PostgreSQL to use (with --project, DATABASE_URL by default: e.g. a Cloud SQL proxy)."
        ),
    ] = None,
    migrate: Annotated[
        bool | None,
        typer.Option(
            "--migrate/--no-migrate",
            help="Apply pending migrations opening PostgreSQL (default: yes locally, no with --project).",
        ),
    ] = None,
) -> None:
    """Where the command acts."""
    tune_garbage_collector()  # as function instances do: folding the log allocates by the million
    if storage not in (None, "postgres", "firestore"):
        raise typer.BadParameter("postgres or firestore", param_hint="--storage")
    chosen: StorageName | None = "firestore" if storage == "firestore" else "postgres" if storage else None
    ctx.obj = TargetOptions(state_dir, project, chosen, database_url, migrate)


app.command("rebuild")(projections.rebuild_command)
app.command("projections")(projections.projections_command)
app.add_typer(dead_letters.app, name="dead-letters")
app.command("integrity")(log.integrity_command)
app.command("export")(log.export_command)
app.command("import")(log.import_command)
app.command("saga")(sagas.saga_command)
app.command("sagas")(sagas.sagas_command)
app.command("events")(log.events_command)
app.command("streams")(log.streams_command)
app.add_typer(outbox.app, name="outbox")
app.command("seed")(seed.seed_command)
app.command("trace")(trace.trace_command)
app.command("audit")(audit.audit_command)
app.command("status")(status.status_command)

if __name__ == "__main__":
    app()
