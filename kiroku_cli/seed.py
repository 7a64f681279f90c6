"""`kiroku seed`: the demo catalogue (emulators/demo.py), through the public GraphQL API as an admin, into
any environment; and, where sign-in is the Auth emulator, the demo admin and writer.

Every record has a fixed id, so seeding twice changes nothing: a record already there is answered
ALREADY_EXISTS and counted as present. Each mutation waits for its command's outcome, so when the
command ends the catalogue is readable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

import requests
import typer

from emulators.auth_users import AuthEmulatorUsers
from emulators.demo import DEMO_RECORD_COUNT, DEMO_USERS, create_demo_records
from kiroku_cli.acting import acting
from kiroku_cli.output import PROBLEM, UNUSABLE, JsonOption, console, emit_json, fail, progress
from kiroku_cli.target import Target

WORKERS = 4


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    users: list[str] = field(default_factory=list)


def seed_command(
    ctx: typer.Context,
    url: Annotated[
        str | None, typer.Option(help="The GraphQL URL; the local cloud's GraphQL function by default.")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="KIROKU_ADMIN_TOKEN", help="An admin's ID token; the demo admin's on the Auth emulator."
        ),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Load the demo catalogue through the GraphQL API as an admin; exits 1 if a record failed.

    4 categories and 31 products with fixed ids (seeding twice changes nothing), and the demo admin and
    writer where sign-in is the Auth emulator.
    """
    with acting(ctx) as target:
        graphql_url = url or target.functions.get("graphql")
        if graphql_url is None:
            raise fail("no GraphQL URL: give --url (the deployed API's, `terraform output graphql_url`)")
        report = SeedReport()
        auth_host = target.environment.get("FIREBASE_AUTH_EMULATOR_HOST") if target.local else None
        if token is None:
            if auth_host is None:
                raise fail("no admin token: give --token (or KIROKU_ADMIN_TOKEN), an ID token of an admin")
            token = _demo_users(auth_host, target, report)
        with progress("seeding", DEMO_RECORD_COUNT, quiet=json_output) as advance_to:
            _seed(graphql_url, token, report, advance_to)
    if json_output:
        emit_json(report)
    else:
        out = console()
        out.print(
            f"demo catalogue: {len(report.created)} created, {len(report.present)} already there, "
            f"{len(report.failed)} failed ({graphql_url})",
            highlight=False,
        )
        if report.users:
            out.print(f"demo users: {', '.join(report.users)} (make token USER=admin)", highlight=False)
        for record, why in report.failed.items():
            out.print(f"[red]{record}: {why}[/red]", highlight=False)
    if report.failed:
        raise typer.Exit(PROBLEM)


def _demo_users(auth_host: str, target: Target, report: SeedReport) -> str:
    """Create the demo users on the Auth emulator (the functions make the admin's email an admin); the
    admin's ID token."""
    users = AuthEmulatorUsers(auth_host, target.project_id)
    signed_in = {
        role: users.ensure_user(email, password, email_verified=True)
        for role, (email, password) in DEMO_USERS.items()
    }
    report.users = [email for email, _ in DEMO_USERS.values()]
    return signed_in["admin"].id_token


def _seed(url: str, token: str, report: SeedReport, advance_to: Any) -> None:
    done = 0

    def record(name: str, answer: dict[str, Any]) -> None:
        nonlocal done
        outcome = answer.get("outcome") or {}
        error = outcome.get("error") or {}
        if outcome.get("status") == "ACCEPTED":
            report.created.append(name)
        elif error.get("code") == "ALREADY_EXISTS":
            report.present.append(name)
        else:
            report.failed[name] = answer.get("problem") or error.get("message") or str(outcome.get("status"))
        done += 1
        advance_to(done)

    created = create_demo_records(
        lambda demo: _mutation(url, token, demo.query, demo.field, demo.variables), workers=WORKERS
    )
    for demo, answer in created:
        record(demo.name, answer)


def _mutation(url: str, token: str, query: str, field_name: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The mutation's result (`outcome`), or what went wrong on the way (`problem`)."""
    try:
        response = requests.post(
            url,
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        body = response.json()
    except (requests.RequestException, ValueError) as error:
        raise fail(f"the GraphQL API at {url} does not answer: {error}", UNUSABLE) from None
    outcome = (body.get("data") or {}).get(field_name)
    if outcome is None:
        problems = "; ".join(str(error.get("message")) for error in body.get("errors") or [])
        return {"problem": problems or f"HTTP {response.status_code}"}
    return {"outcome": outcome}
