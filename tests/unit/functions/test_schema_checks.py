"""The API contract's checks (`make schema-check`) catch what they are there for: the linter a missing
description, the breaking-change check a removed field, unless the removal is listed as intended.

They run the real tools (node, the npm package of tools/graphql), installed from the lockfile as make
installs them when they are missing. A broken schema is made from schema.graphql with graphql-core, so the
tests do not depend on how the file is laid out.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from graphql import GraphQLObjectType, build_schema, print_schema

ROOT = Path(__file__).resolve().parents[3]
TOOLS = ROOT / "tools" / "graphql"
SCHEMA = ROOT / "schema.graphql"
LINTER = TOOLS / "node_modules" / ".bin" / "graphql-schema-linter"
BREAKING_CHANGES = TOOLS / "breaking-changes.mjs"
INSTALLED = [
    LINTER,
    TOOLS / "node_modules" / "@graphql-inspector" / "core" / "package.json",
    TOOLS / "node_modules" / "graphql" / "package.json",
]


@pytest.fixture(scope="module", autouse=True)
def _tools_installed() -> None:
    """The tools' npm package, installed as the Makefile installs it, if it is not yet."""
    if not all(path.exists() for path in INSTALLED):
        subprocess.run(
            ["npm", "ci", "--prefix", str(TOOLS), "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=ROOT,
            check=True,
            timeout=600,
        )


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def _lint(schema: Path) -> subprocess.CompletedProcess[str]:
    return _run(str(LINTER), "--config-directory", str(TOOLS), str(schema))


def _breaking_changes(
    schema: Path, released: Path = SCHEMA, intended: Path | None = None
) -> subprocess.CompletedProcess[str]:
    options = ["--schema", str(schema), "--released", str(released)]
    if intended is not None:
        options += ["--intended", str(intended)]
    return _run("node", str(BREAKING_CHANGES), *options)


def _intended(path: Path, *changes: dict[str, str]) -> Path:
    path.write_text(json.dumps({"changes": list(changes)}))
    return path


def _schema_without(tmp_path: Path, *, description_of: str | None = None, field: str | None = None) -> Path:
    """schema.graphql with one field's description (`Type.field`) or one field removed."""
    schema = build_schema(SCHEMA.read_text())
    type_name, field_name = (description_of or field or "").split(".")
    named = schema.type_map[type_name]
    assert isinstance(named, GraphQLObjectType)
    fields = named.fields
    assert field_name in fields
    if description_of is not None:
        assert fields[field_name].description
        fields[field_name].description = None
    else:
        del fields[field_name]
    copy = tmp_path / "schema.graphql"
    copy.write_text(print_schema(schema))
    return copy


def test_the_linter_passes_on_schema_graphql() -> None:
    linted = _lint(SCHEMA)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert "0 errors detected" in linted.stdout


def test_the_linter_fails_on_a_field_without_description(tmp_path: Path) -> None:
    linted = _lint(_schema_without(tmp_path, description_of="Order.total"))
    assert linted.returncode != 0
    assert "`Order.total` is missing a description" in linted.stdout
    assert "fields-have-descriptions" in linted.stdout
    assert "1 error detected" in linted.stdout


def test_the_breaking_change_check_passes_on_schema_graphql() -> None:
    checked = _run("node", str(BREAKING_CHANGES))  # what make runs: released.graphql, the listed intents
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_removed_field_fails_the_breaking_change_check(tmp_path: Path) -> None:
    checked = _breaking_changes(
        _schema_without(tmp_path, field="Order.saga"), intended=_intended(tmp_path / "none.json")
    )
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "BREAKING: FIELD_REMOVED Order.saga" in checked.stdout
    assert "1 breaking (0 intended)" in checked.stdout


def test_a_removal_listed_as_intended_passes(tmp_path: Path) -> None:
    removal = {"type": "FIELD_REMOVED", "path": "Order.saga", "reason": "clients were told in release notes"}
    checked = _breaking_changes(
        _schema_without(tmp_path, field="Order.saga"), intended=_intended(tmp_path / "intended.json", removal)
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "breaking, intended: FIELD_REMOVED Order.saga" in checked.stdout
    assert "1 breaking (1 intended)" in checked.stdout


def test_an_intended_change_that_is_not_made_fails_the_check(tmp_path: Path) -> None:
    """The list says exactly what the next release breaks: an entry matching nothing is a stale one."""
    removal = {"type": "FIELD_REMOVED", "path": "Order.saga", "reason": "clients were told in release notes"}
    checked = _breaking_changes(SCHEMA, intended=_intended(tmp_path / "intended.json", removal))
    assert checked.returncode == 1
    assert "LISTED, NOT FOUND: FIELD_REMOVED Order.saga" in checked.stdout


def test_an_intended_change_needs_a_reason(tmp_path: Path) -> None:
    unexplained = {"type": "FIELD_REMOVED", "path": "Order.saga", "reason": " "}
    checked = _breaking_changes(
        _schema_without(tmp_path, field="Order.saga"),
        intended=_intended(tmp_path / "intended.json", unexplained),
    )
    assert checked.returncode == 2
    assert 'non-empty "reason"' in checked.stderr
