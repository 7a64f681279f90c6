"""GraphiQL that works without the internet: the page strawberry serves, with its files from the local stack.

Strawberry's GraphiQL page loads React, GraphiQL and its explorer plugin from unpkg, pinned by version and
by subresource integrity; without internet access it stays on "Loading...". Where `KIROKU_GRAPHIQL_ASSETS`
names a `node_modules` holding those same versions (emulators/graphiql, installed by `make run`), the page's
unpkg addresses are rewritten to `/graphiql/<package>/<file>` and the function serves exactly the files the
page names, nothing else. The integrity hashes stay in the page, so the browser checks that the local
files are the ones strawberry pinned. Without the setting (a deployed dev environment) the page is
strawberry's own.
"""

from __future__ import annotations

import mimetypes
import re
from functools import cache
from pathlib import Path

import flask
from strawberry.http.ides import get_graphql_ide_html

ASSETS_PREFIX = "/graphiql/"
# https://unpkg.com/<package>@<version>/<file>: the package (scoped or not) and the file, version dropped.
_UNPKG = re.compile(r"https://unpkg\.com/((?:@[\w.-]+/)?[\w.-]+)@[\w.-]+/([\w./-]+)")


@cache
def _page() -> str:
    return get_graphql_ide_html()


def ide_html(assets: Path | None) -> str:
    """The GraphiQL page, loading its files from `assets` (a node_modules directory) when given."""
    return _page() if assets is None else _UNPKG.sub(rf"{ASSETS_PREFIX}\1/\2", _page())


@cache
def _served_files() -> frozenset[str]:
    """`<package>/<file>` of every file the page loads: all that the asset route answers."""
    return frozenset(f"{package}/{file}" for package, file in _UNPKG.findall(_page()))


def asset(assets: Path, path: str) -> flask.Response | None:
    """The page's file at `/graphiql/<path>`, or None when the page names no such file."""
    wanted = path.removeprefix(ASSETS_PREFIX)
    if wanted not in _served_files():
        return None
    mimetype = mimetypes.guess_type(wanted)[0] or "application/octet-stream"
    response = flask.Response((assets / wanted).read_bytes(), mimetype=mimetype)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
