"""The order of the door's checks, through the real GraphQL function called as functions-framework calls
it (the Flask request in, the response out) and tokens of the real Firebase Auth emulator.

Everything here is refused before a query runs, so no storage is needed: the rate limit is spent before
a token is verified and by the tokens refused, `/health` and `/metrics` spend it too, `/metrics` is closed
outside `local` without its bearer secret, a mutation never runs over GET, an operation that cannot be
chosen is a coded BAD_USER_INPUT, and a request holds at most so many mutations.

`/health/live` answers with no dependency at all; the plain `products` list, given a database of its
own, refuses a catalogue larger than it answers instead of cutting it short.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import flask
import psycopg
import pytest
from flask.testing import FlaskClient
from graphql import parse, print_ast
from psycopg.conninfo import make_conninfo
from pydantic import JsonValue

from emulators.auth_users import AuthEmulatorUsers
from emulators.services import FirebaseAuthEmulator
from emulators.stack import GRAPHIQL_ASSETS
from functions import runtime
from functions.graphql import app
from functions.graphql.results import DEFAULT_PAGE_SIZE, PLAIN_LIST_LIMIT
from functions.graphql.trusted import TrustedDocuments
from shared.bus.publisher import PUBSUB_PROBE_SECONDS
from shared.config import settings
from tests.conftest import AUTH_PROJECT
from tests.contract.harness import TEMPLATE_DATABASE

BUDGET = 5
_ADDRESSES = itertools.count(1)
MAX_MUTATIONS = 3
METRICS_TOKEN = "m" * 40
CREATE = 'createCategory(input: {{id: "door-{n}", name: "n"}}) {{ status }}'
Door = Callable[..., FlaskClient]


@pytest.fixture
def door(monkeypatch: pytest.MonkeyPatch) -> Iterator[Door]:
    """Opens the door with these settings (environment variables without the KIROKU_ prefix)."""

    def opened(**variables: str) -> FlaskClient:
        monkeypatch.setenv("KIROKU_PROJECT_ID", AUTH_PROJECT)  # the project the emulator's tokens are for
        monkeypatch.setenv("KIROKU_RATE_LIMIT", f"{BUDGET}/minute")
        monkeypatch.setenv("KIROKU_MAX_MUTATIONS_PER_REQUEST", str(MAX_MUTATIONS))
        for name, value in variables.items():
            monkeypatch.setenv(f"KIROKU_{name}", value)
        _forget_settings()
        server = flask.Flask(__name__)
        for rule in ("/", "/<path:path>"):
            server.add_url_rule(
                rule,
                rule,
                lambda **_: app.graphql(flask.request),
                methods=["GET", "POST", "PUT", "OPTIONS"],
            )
        return server.test_client()

    yield opened
    _forget_settings()


def _forget_settings() -> None:
    for cached in (settings, app.schema, app.rate_limiter, app.verifier, app.trusted_documents):
        cached.cache_clear()
    if runtime.storage.cache_info().currsize:
        runtime.storage().close()
    runtime.storage.cache_clear()
    runtime.publisher.cache_clear()


@pytest.fixture
def database(postgres_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated database of its own, for the tests whose requests are executed (and so open storage);
    their bus is an address nothing listens on, as none of their requests publishes."""
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", "127.0.0.1:9")
    name = f"door_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DATABASE}"')
    return make_conninfo(postgres_server, dbname=name)


@pytest.fixture
def users(auth_emulator: FirebaseAuthEmulator, monkeypatch: pytest.MonkeyPatch) -> AuthEmulatorUsers:
    for name, value in auth_emulator.environment().items():  # firebase-admin finds the emulator through it
        monkeypatch.setenv(name, value)
    return AuthEmulatorUsers(auth_emulator.host, AUTH_PROJECT)


def _from(address: str, token: str | None = None) -> dict[str, str]:
    headers = {"X-Forwarded-For": address}
    return headers | ({"Authorization": f"Bearer {token}"} if token else {})


def _address() -> str:
    """A client address no other test has used: the limiter's budgets outlive a test."""
    n = next(_ADDRESSES)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def _codes(response: Any) -> list[str]:
    return [error["extensions"]["code"] for error in response.get_json().get("errors", [])]


def _claiming(uid: str) -> str:
    """A token that says it is for `uid` and is not valid (issued for another project)."""
    claims = {"sub": uid, "user_id": uid, "aud": "another-project", "iss": "x", "iat": 1, "exp": 2**31}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}."


UNCHOSEN = {"query": "query A { __typename }", "operationName": "B"}  # refused after the token is checked


def test_invalid_tokens_spend_their_address_budget_and_are_refused_before_verification(
    door: Door, users: AuthEmulatorUsers
) -> None:
    client, address = door(), _address()
    answers = [
        client.post("/", json=UNCHOSEN, headers=_from(address, "not-a-token")).status_code
        for _ in range(BUDGET)
    ]
    assert answers == [401] * BUDGET
    # Over budget: refused without being verified (verifying would say 401), and so is a reader there.
    refused = client.post("/", json=UNCHOSEN, headers=_from(address, "not-a-token"))
    assert (refused.status_code, _codes(refused)) == (429, ["RATE_LIMITED"])
    assert client.post("/", json=UNCHOSEN, headers=_from(address)).status_code == 429
    # Another address is not affected.
    assert client.post("/", json=UNCHOSEN, headers=_from(_address(), "not-a-token")).status_code == 401


def test_a_uid_over_budget_is_refused_before_verification_and_a_claim_spends_nobody_budget(
    door: Door, users: AuthEmulatorUsers
) -> None:
    client = door()
    user = users.ensure_user(f"{uuid.uuid4().hex[:12]}@kiroku.test", "door-password")
    forger = _address()
    forged = [
        client.post("/", json=UNCHOSEN, headers=_from(forger, _claiming(user.uid))).status_code
        for _ in range(BUDGET + 1)
    ]
    assert forged == [401] * BUDGET + [429]  # the forger's address paid for its refused tokens
    # The user's own budget is whole: the forged claims spent none of it.
    own = [
        client.post("/", json=UNCHOSEN, headers=_from(_address(), user.id_token)).get_json()["errors"][0]
        for _ in range(BUDGET)
    ]
    assert [error["extensions"]["code"] for error in own] == ["BAD_USER_INPUT"] * BUDGET
    assert client.post("/", json=UNCHOSEN, headers=_from(_address(), user.id_token)).status_code == 429
    # Now over budget, a token claiming that uid is refused before it is verified.
    assert client.post("/", json=UNCHOSEN, headers=_from(_address(), _claiming(user.uid))).status_code == 429


def test_health_and_metrics_spend_the_address_budget(door: Door) -> None:
    client, address = door(), _address()
    assert [client.get("/metrics", headers=_from(address)).status_code for _ in range(BUDGET)] == [
        200
    ] * BUDGET
    for path in ("/metrics", "/health", "/health/", "/health/live", "/health/ready"):
        refused = client.get(path, headers=_from(address))
        assert (refused.status_code, _codes(refused)) == (429, ["RATE_LIMITED"]), path
    assert client.get("/metrics", headers=_from(_address())).status_code == 200


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_metrics_are_closed_outside_local_without_their_bearer_secret(
    door: Door, environment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)  # refused outside local
    closed = door(ENVIRONMENT=environment).get("/metrics", headers=_from(_address()))
    assert (closed.status_code, _codes(closed)) == (404, ["NOT_FOUND"])

    client = door(ENVIRONMENT=environment, METRICS_TOKEN=METRICS_TOKEN)
    for given in (None, "wrong", METRICS_TOKEN[:-1], f"{METRICS_TOKEN}x"):
        refused = client.get("/metrics", headers=_from(_address(), given))
        assert (refused.status_code, _codes(refused)) == (401, ["UNAUTHENTICATED"]), given
        assert refused.headers["WWW-Authenticate"] == "Bearer"
    scraped = client.get("/metrics", headers=_from(_address(), METRICS_TOKEN))
    assert scraped.status_code == 200
    assert "kiroku_graphql_requests" in scraped.get_data(as_text=True)


def test_metrics_are_public_locally_unless_given_a_secret(door: Door) -> None:
    assert door().get("/metrics", headers=_from(_address())).status_code == 200
    guarded = door(METRICS_TOKEN=METRICS_TOKEN)
    assert guarded.get("/metrics", headers=_from(_address())).status_code == 401
    assert guarded.get("/metrics", headers=_from(_address(), METRICS_TOKEN)).status_code == 200


@pytest.mark.parametrize(
    ("query", "operation"),
    [
        (f"mutation {{ {CREATE.format(n=1)} }}", None),
        (f"# a comment first\nmutation {{ {CREATE.format(n=2)} }}", None),
        (f"\n\t mutation Make {{ {CREATE.format(n=3)} }}", "Make"),
        (f"query Look {{ __typename }} mutation Make {{ {CREATE.format(n=4)} }}", "Make"),
        (f"fragment F on Mutation {{ {CREATE.format(n=5)} }} mutation {{ ...F }}", None),
    ],
)
def test_a_mutation_never_runs_over_get(door: Door, query: str, operation: str | None) -> None:
    arguments = {"query": query} | ({"operationName": operation} if operation else {})
    refused = door().get("/", query_string=arguments, headers=_from(_address()))
    assert (refused.status_code, _codes(refused)) == (405, ["BAD_USER_INPUT"])
    assert refused.get_json()["errors"][0]["message"] == "mutations must be sent with POST"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"query": "query A { __typename }", "operationName": "B"}, "no operation named 'B'"),
        ({"query": "{ __typename }", "operationName": "Named"}, "no operation named 'Named'"),
        ({"query": "fragment F on Query { __typename }"}, "no operation to run, only fragments"),
        ({"query": "query A { __typename } query B { __typename }"}, "several operations"),
        ({"query": "{ __typename }", "operationName": 7}, "operationName must be a string"),
    ],
)
def test_an_operation_that_cannot_be_chosen_is_bad_user_input(
    door: Door, body: dict[str, Any], problem: str
) -> None:
    client = door()
    sent = [client.post("/", json=body, headers=_from(_address()))]
    if isinstance(body.get("operationName", ""), str):  # a query string carries only strings
        sent.append(client.get("/", query_string=body, headers=_from(_address())))
    for refused in sent:
        assert (refused.status_code, _codes(refused)) == (400, ["BAD_USER_INPUT"]), refused.request.method
        assert problem in refused.get_json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "query",
    [
        "mutation { " + " ".join(f"c{n}: {CREATE.format(n=n)}" for n in range(MAX_MUTATIONS + 1)) + " }",
        # through fragments, inline and named; __typename is not a mutation and is not counted
        "mutation { __typename ...F ... on Mutation { c3: " + CREATE.format(n=3) + " } } "
        "fragment F on Mutation { c0: "
        + CREATE.format(n=0)
        + " c1: "
        + CREATE.format(n=1)
        + " c2: "
        + CREATE.format(n=2)
        + " }",
    ],
)
def test_a_request_holds_at_most_so_many_mutations(door: Door, query: str) -> None:
    refused = door().post("/", json={"query": query}, headers=_from(_address()))
    assert (refused.status_code, _codes(refused)) == (400, ["BAD_USER_INPUT"])
    error = refused.get_json()["errors"][0]
    assert (error["extensions"]["mutations"], error["extensions"]["limit"]) == (
        MAX_MUTATIONS + 1,
        MAX_MUTATIONS,
    )


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_graphiql_and_introspection_are_off_in_production_only(
    door: Door, database: str, environment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)  # refused outside local
    # Trusted documents off: an introspection query is then refused by the introspection rule itself.
    client = door(ENVIRONMENT=environment, DATABASE_URL=database, TRUSTED_DOCUMENTS="off")
    ide = client.get("/", headers=_from(_address()))
    introspection = client.post(
        "/", json={"query": "{ __schema { queryType { name } } }"}, headers=_from(_address())
    )
    if environment == "prod":
        assert (ide.status_code, _codes(ide)) == (404, ["NOT_FOUND"])
        assert set(_codes(introspection)) == {"BAD_USER_INPUT"}
        assert "__schema" not in json.dumps(introspection.get_json().get("data") or {})
    else:
        assert ide.status_code == 200
        assert "graphiql" in ide.get_data(as_text=True).lower()
        assert introspection.get_json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


def test_the_address_budget_is_keyed_by_the_last_forwarded_hop_only(door: Door) -> None:
    """Google's front end appends the caller's address last; what comes before is the client's to say,
    so varying it must not buy a fresh budget, and the same first hop from two callers is two budgets."""
    client, caller = door(), _address()
    spoofed = [
        client.post("/", json=UNCHOSEN, headers={"X-Forwarded-For": f"{_address()}, {caller}"}).status_code
        for _ in range(BUDGET + 1)
    ]
    assert spoofed == [400] * BUDGET + [429]
    claimed = _address()
    others = [
        client.post("/", json=UNCHOSEN, headers={"X-Forwarded-For": f"{claimed}, {_address()}"}).status_code
        for _ in range(BUDGET + 1)
    ]
    assert others == [400] * (BUDGET + 1)


def test_a_refused_request_logs_no_error(door: Door, database: str, caplog: pytest.LogCaptureFixture) -> None:
    """A refusal is an answer, not a fault: the ERROR level is kept for what an operator must look at."""
    client = door(DATABASE_URL=database)
    with caplog.at_level(logging.INFO):
        refused = client.post(
            "/", json={"query": f"mutation {{ {CREATE.format(n=6)} }}"}, headers=_from(_address())
        )
        malformed = client.post("/", json={"query": "{ products { secret } }"}, headers=_from(_address()))
    assert _codes(refused) == ["UNAUTHENTICATED"]
    assert _codes(malformed) == ["BAD_USER_INPUT"]
    assert [record.getMessage()[:200] for record in caplog.records if record.levelno >= logging.ERROR] == []


def test_live_health_names_the_version_and_asks_no_dependency(door: Door) -> None:
    # No database and no Pub/Sub here: liveness answers all the same.
    live = door(VERSION="0123456789ab").get("/health/live", headers=_from(_address()))
    assert (live.status_code, live.get_json()) == (200, {"status": "ok", "version": "0123456789ab"})


def test_readiness_with_pubsub_unreachable_answers_degraded_within_its_probe_time(
    door: Door, database: str
) -> None:
    """Readiness asks Pub/Sub once, for at most its probe time: the client library's retries of an
    unreachable server (a minute by default) would outlast the platform's probe, and the health check
    must answer before it is given up on."""
    client = door(DATABASE_URL=database)
    started = time.monotonic()
    ready = client.get("/health/ready", headers=_from(_address()))
    answered_in = time.monotonic() - started
    body = ready.get_json()
    assert (ready.status_code, body["status"], body["services"]) == (
        503,
        "degraded",
        {"database": "connected", "pubsub": "unavailable"},
    )
    assert answered_in < 2 * PUBSUB_PROBE_SECONDS, f"readiness took {answered_in:.1f} s"


def test_the_plain_products_list_answers_everything_up_to_its_limit_and_refuses_more(
    door: Door, database: str
) -> None:
    client = door(DATABASE_URL=database)
    reads = runtime.storage().read_models

    def stock(count: int) -> None:
        for n in range(count):
            key = f"p-{n:04d}"
            data: dict[str, JsonValue] = {
                "name": key,
                "price": "1.00",
                "currency": "EUR",
                "stock": 1,
                "in_stock": True,
                "category_id": "c-1",
                "created_at": "2026-01-01T00:00:00+00:00",
                "updated_at": "2026-01-01T00:00:00+00:00",
            }
            reads.upsert("products", key, data, 1)

    def ask(query: str) -> Any:
        return client.post("/graphql", json={"query": query}, headers=_from(_address())).get_json()

    stock(PLAIN_LIST_LIMIT)
    everything = ask("{ products { id } }")
    assert "errors" not in everything, everything
    assert [product["id"] for product in everything["data"]["products"]] == [
        f"p-{n:04d}" for n in range(PLAIN_LIST_LIMIT)
    ]
    stock(PLAIN_LIST_LIMIT + 1)
    refused = ask("{ products { id } }")
    assert refused["data"] is None
    [error] = refused["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "products", "limit": PLAIN_LIST_LIMIT}
    assert "productsConnection" in error["message"]
    # Paged, it answers as before: a page of the size asked, the default without `first`.
    assert len(ask("{ products(first: 3) { id } }")["data"]["products"]) == 3
    after = ask('{ products(after: "") { id } }')
    assert after["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"  # a cursor never handed out
    paged = ask("{ productsConnection(first: 100) { pageInfo { endCursor } } }")["data"]
    cursor = paged["productsConnection"]["pageInfo"]["endCursor"]
    page = ask(f'{{ products(after: "{cursor}") {{ id }} }}')["data"]["products"]
    assert [product["id"] for product in page] == [f"p-{n:04d}" for n in range(100, 100 + DEFAULT_PAGE_SIZE)]


def _trusted_categories_id() -> str:
    """The hash of the trusted document that is the seed clients' category list."""
    normal = print_ast(parse("{ categories { id name } }"))
    (found,) = [
        key for key, text in TrustedDocuments.load().by_hash.items() if print_ast(parse(text)) == normal
    ]
    return found


def test_trusted_documents_where_enforced_run_for_everyone_and_any_document_for_admins(
    door: Door, database: str, users: AuthEmulatorUsers
) -> None:
    categories_id = _trusted_categories_id()
    client = door(DATABASE_URL=database, TRUSTED_DOCUMENTS="enforce")
    writer = users.ensure_user(f"{uuid.uuid4().hex[:12]}@kiroku.test", "door-password").id_token
    admin = users.ensure_user(
        f"{uuid.uuid4().hex[:12]}@kiroku.test", "door-password", claims={"role": "admin"}
    ).id_token
    ad_hoc = {"query": "{ categories { id name description version } }"}

    def ask(body: dict[str, Any], token: str | None) -> Any:
        return client.post("/", json=body, headers=_from(_address(), token))

    for token in (None, writer):
        by_hash = ask({"documentId": f"sha256:{categories_id}"}, token)
        assert (by_hash.status_code, by_hash.get_json()) == (200, {"data": {"categories": []}})
        apollo = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": categories_id}}}
        assert ask(apollo, token).get_json() == {"data": {"categories": []}}
        # The text of a trusted document, however it is spaced, is that document.
        spaced = ask({"query": "query {\n  categories {\n    id\n    name\n  }\n}"}, token)
        assert spaced.get_json() == {"data": {"categories": []}}
        refused = ask(ad_hoc, token)
        assert (refused.status_code, _codes(refused)) == (403, ["FORBIDDEN"])
        assert refused.get_json()["errors"][0]["extensions"]["reason"] == "UNTRUSTED_DOCUMENT"
    assert ask(ad_hoc, admin).get_json() == {"data": {"categories": []}}
    # A second writer: the first has spent its budget.
    writer = users.ensure_user(f"{uuid.uuid4().hex[:12]}@kiroku.test", "door-password").id_token
    unknown = ask({"documentId": "sha256:" + "0" * 64}, writer)
    assert (unknown.status_code, _codes(unknown)) == (404, ["NOT_FOUND"])
    # An unknown hash sent with its text runs the text, under the same rule as text alone.
    with_text = {"documentId": "sha256:" + "0" * 64, "query": "query {categories {id name}}"}
    assert ask(with_text, writer).get_json() == {"data": {"categories": []}}
    untrusted_text = ask({**ad_hoc, "documentId": "sha256:" + "0" * 64}, writer)
    assert (untrusted_text.status_code, _codes(untrusted_text)) == (403, ["FORBIDDEN"])
    # Where they are not enforced, any document runs, within the cost limits.
    assert door(DATABASE_URL=database, TRUSTED_DOCUMENTS="off").post(
        "/", json=ad_hoc, headers=_from(_address(), writer)
    ).get_json() == {"data": {"categories": []}}


def test_production_enforces_trusted_documents_for_anonymous_callers(
    door: Door, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)  # refused outside local
    client = door(ENVIRONMENT="prod", DATABASE_URL=database)
    categories_id = _trusted_categories_id()
    trusted = client.post("/", json={"documentId": categories_id}, headers=_from(_address()))
    assert trusted.get_json() == {"data": {"categories": []}}
    over_get = client.get(f"/?documentId={categories_id}", headers=_from(_address()))
    assert over_get.get_json() == {"data": {"categories": []}}
    refused = client.post("/", json={"query": "{ categories { id } }"}, headers=_from(_address()))
    assert (refused.status_code, _codes(refused)) == (403, ["FORBIDDEN"])


def test_the_local_graphiql_loads_every_file_from_the_stack_as_pinned(door: Door) -> None:
    """Offline GraphiQL: the page names no CDN, and each file it loads is served here with the very bytes
    its subresource-integrity hash pins."""
    client = door(GRAPHIQL_ASSETS=str(GRAPHIQL_ASSETS))
    page = client.get("/", headers=_from(_address())).get_data(as_text=True)
    assert "unpkg.com" not in page
    loaded = re.findall(r'(?:src|href)="(/graphiql/[^"]+)"\s+integrity="sha384-([^"]+)"', page)
    assert len(loaded) == 7  # React, ReactDOM, js-cookie, GraphiQL's script and style, the explorer's two
    for path, pinned in loaded:
        served = client.get(path, headers=_from(_address()))
        assert served.status_code == 200, path
        assert base64.b64encode(hashlib.sha384(served.get_data()).digest()).decode() == pinned, path
    for unlisted in ("/graphiql/react/package.json", "/graphiql/../package.json", "/graphiql/graphiql/"):
        refused = client.get(unlisted, headers=_from(_address()))
        assert (refused.status_code, _codes(refused)) == (404, ["NOT_FOUND"]), unlisted
