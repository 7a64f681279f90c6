"""`kiroku dead-letters list|show|replay|discard FUNCTION [IDS]`: the messages a function gave up on.

`list` and `show` leave them where they are; `replay` republishes them to the function's topic with their
original attributes and a replay marker, after the cause is fixed (handlers are idempotent); `discard`
prints them, then acks them. IDS are dead-letter message ids or the ids of the commands or events they
carry, as `list` prints them. The last error is the function's own log line about the message: the local
cloud's log file, or Cloud Logging in a deployed environment.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from kiroku_cli.acting import acting
from kiroku_cli.output import PROBLEM, JsonOption, console, emit_json, fail, moment, table
from kiroku_cli.target import Target
from shared.application import dead_letters
from shared.application.dead_letters import (
    DeadLetter,
    DeadLetterBox,
    DeadLetterResult,
    dead_lettering_function,
)

app = typer.Typer(
    help="Messages a function gave up on: list, show, replay or discard them.", no_args_is_help=True
)

FunctionArgument = Annotated[
    str, typer.Argument(help="A topic-triggered function, as manifest.yaml names it.")
]
IdsArgument = Annotated[
    list[str] | None,
    typer.Argument(help="Dead-letter message ids, or the ids of the messages' commands or events."),
]
ERROR_LINES = 3


@app.command("list")
def list_command(ctx: typer.Context, function: FunctionArgument, json_output: JsonOption = False) -> None:
    """The function's dead letters, left where they are; exits 1 when it has any."""
    with acting(ctx) as target:
        letters = _box(target, function).peek()
        errors = last_errors(target, function, letters)
    if json_output:
        emit_json([_answer(letter, errors) for letter in letters])
    else:
        rows = [
            [
                letter.message_id,
                f"{letter.attributes.get('type')} {letter.envelope_id}",
                f"{letter.attributes.get('aggregate_type')} {letter.attributes.get('aggregate_id')}",
                letter.delivery_attempts,
                moment(letter.publish_time),
                errors.get(letter.envelope_id or ""),
            ]
            for letter in letters
        ]
        columns = ["message", "command or event", "aggregate", "attempts", "dead-lettered", "last error"]
        console().print(table(f"{function}: {len(letters)} dead letter(s)", columns, rows))
    if letters:
        raise typer.Exit(PROBLEM)


@app.command()
def show(
    ctx: typer.Context, function: FunctionArgument, ids: IdsArgument = None, json_output: JsonOption = False
) -> None:
    """Dead letters in full; exits 1 when an id was not found.

    Their attributes, data, delivery attempts and the last error (all of them without IDS).
    """
    with acting(ctx) as target:
        letters, missing = dead_letters.choose(_box(target, function).peek(), ids)
        errors = last_errors(target, function, letters)
    if json_output:
        emit_json({"letters": [_answer(letter, errors) for letter in letters], "missing": missing})
    else:
        out = console()
        for letter in letters:
            rows: list[list[Any]] = [["message id", letter.message_id], ["ordering key", letter.ordering_key]]
            rows += [[f"attribute {key}", value] for key, value in sorted(letter.attributes.items())]
            rows += [[key, value] for key, value in sorted(letter.dead_letter_attributes.items())]
            rows += [
                ["last error", errors.get(letter.envelope_id or "", "")],
                ["data", _pretty(letter.text())],
            ]
            out.print(table(f"dead letter of {function}", ["", ""], rows))
        if missing:
            out.print(f"[red]not found: {', '.join(missing)}[/red]", highlight=False)
    if missing:
        raise typer.Exit(PROBLEM)


@app.command()
def replay(
    ctx: typer.Context, function: FunctionArgument, ids: IdsArgument = None, json_output: JsonOption = False
) -> None:
    """Republish dead letters to the function's topic, after the cause is fixed.

    All of them without IDS. Each goes with its original attributes and the `kiroku_replay` marker, and
    is removed once published. Exits 1 when an id was not found or a letter could not be republished
    (it is kept).
    """
    with acting(ctx) as target:
        spec = dead_lettering_function(function, target.manifest)
        topic = spec.trigger.topic  # type: ignore[union-attr]  # topic-triggered, checked above

        def republish(letter: DeadLetter) -> str:
            return dead_letters.republish(target.publisher_client, target.project_id, topic, letter)

        result = dead_letters.replay(_box(target, function), ids or None, republish)
    _report(result, "replayed", f"to the {topic} topic", json_output)


@app.command()
def discard(
    ctx: typer.Context,
    function: FunctionArgument,
    ids: IdsArgument = None,
    every: Annotated[bool, typer.Option("--all", help="Discard every dead letter of the function.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Print dead letters, then remove them for good (IDS, or every one with --all).

    Exits 1 when an id was not found.
    """
    if not ids and not every:
        raise fail("name the dead letters to discard, or give --all")
    with acting(ctx) as target:
        result = dead_letters.discard(_box(target, function), ids or None)
    if not json_output:
        for letter in result.done:
            kind = letter.attributes.get("type")
            console().print(
                f"{letter.message_id} {kind} {letter.envelope_id}: {letter.text()}", highlight=False
            )
    _report(result, "discarded", "", json_output)


def _box(target: Target, function: str) -> DeadLetterBox:
    return DeadLetterBox(
        target.subscriber, target.project_id, dead_lettering_function(function, target.manifest)
    )


def _report(result: DeadLetterResult, done: str, where: str, json_output: bool) -> None:
    if json_output:
        emit_json(
            {
                "function": result.function,
                done: [letter.message_id for letter in result.done],
                "missing": result.missing,
                "failed": [
                    {"message_id": letter.message_id, "error": error} for letter, error in result.failed
                ],
            }
        )
    else:
        out = console()
        out.print(
            f"{result.function}: {done} {len(result.done)} dead letter(s) {where}".rstrip(), highlight=False
        )
        for letter, error in result.failed:
            out.print(f"[red]{letter.message_id} not {done}: {error}[/red]", highlight=False)
        if result.missing:
            out.print(f"[red]not found: {', '.join(result.missing)}[/red]", highlight=False)
    if not result.ok:
        raise typer.Exit(PROBLEM)


def _answer(letter: DeadLetter, errors: dict[str, str]) -> dict[str, Any]:
    return {
        "message_id": letter.message_id,
        "publish_time": letter.publish_time,
        "ordering_key": letter.ordering_key,
        "attributes": letter.attributes,
        "dead_letter_attributes": letter.dead_letter_attributes,
        "delivery_attempts": letter.delivery_attempts,
        "data": letter.text(),
        "last_error": errors.get(letter.envelope_id or ""),
    }


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=1, sort_keys=True)
    except ValueError:
        return text


def last_errors(target: Target, function: str, letters: Sequence[DeadLetter]) -> dict[str, str]:
    """The last error the function logged about each letter's command or event, by its id, where found."""
    ids = {letter.envelope_id for letter in letters if letter.envelope_id}
    if not ids:
        return {}
    if target.log_dir is not None:
        return _errors_in_file(target.log_dir / f"function-{function}.log", ids)
    return _errors_in_cloud_logging(target.project_id, function, ids)


def _errors_in_file(log: Path, ids: set[str]) -> dict[str, str]:
    """From the local function's log: JSON lines as Cloud Logging takes them, with the message's id label."""
    found: dict[str, str] = {}
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return found
    for line in lines:
        if '"ERROR"' not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        labels = entry.get("logging.googleapis.com/labels") or {}
        message_id = labels.get("message_id")
        if message_id in ids and entry.get("severity") == "ERROR":
            found[message_id] = _error_of(str(entry.get("message", "")))
    return found


def _errors_in_cloud_logging(project_id: str, function: str, ids: set[str]) -> dict[str, str]:
    """From Cloud Logging, where the functions' structured logs carry the same labels."""
    from google.cloud import logging as cloud_logging

    found: dict[str, str] = {}
    try:
        client = cloud_logging.Client(project=project_id)  # type: ignore[no-untyped-call]
        for message_id in sorted(ids):
            entries = client.list_entries(  # type: ignore[no-untyped-call]
                filter_=f'severity>=ERROR AND labels.message_id="{message_id}" '
                f'AND resource.labels.service_name="{function}"',
                order_by=cloud_logging.DESCENDING,
                max_results=1,
            )
            for entry in entries:
                payload = entry.payload
                text = payload.get("message", "") if isinstance(payload, dict) else str(payload)
                found[message_id] = _error_of(str(text))
    except Exception as error:  # the log is a help, not a condition: say why it is missing
        return dict.fromkeys(ids, f"(Cloud Logging not read: {error})")
    return found


def _error_of(message: str) -> str:
    """A logged failure in short: the exception at the end of its traceback, its type without its module
    (or the message itself)."""
    lines = [line for line in message.splitlines() if line.strip()]
    if "Traceback (most recent call last):" in lines:
        start = len(lines) - 1 - lines[::-1].index("Traceback (most recent call last):")
        tail = [line for line in lines[start + 1 :] if not line.startswith(" ")]
        if tail:
            tail[0] = re.sub(r"^(?:\w+\.)+(?=\w+:)", "", tail[0])
            return " ".join(tail[:ERROR_LINES])[:300]
    return " ".join(lines[:ERROR_LINES])[:300]
