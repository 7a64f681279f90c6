"""`schema.graphql`, the contract clients build against, is exactly the schema the API serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from functions.graphql import sdl


def test_schema_graphql_is_what_the_api_serves() -> None:
    assert sdl.SCHEMA_FILE.read_text() == sdl.printed_schema(), f"schema.graphql is stale: run {sdl.COMMAND}"


def test_the_check_fails_on_a_stale_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = tmp_path / "schema.graphql"
    stale.write_text(sdl.SCHEMA_FILE.read_text().replace("  hasPreviousPage: Boolean!\n", ""))
    monkeypatch.setattr(sdl, "SCHEMA_FILE", stale)
    assert sdl.main(["--check"]) == 1
    assert sdl.main([]) == 0
    assert sdl.main(["--check"]) == 0
    assert "hasPreviousPage" in stale.read_text()
