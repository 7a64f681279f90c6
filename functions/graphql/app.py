"""The GraphQL function: the single public HTTP door, as a functions-framework HTTP function.

Routes: `POST /` (or `GET /?query=` or `?documentId=`, at any path: `/graphql` too, as the seed's clients
call it) runs GraphQL; `GET /` without a query serves GraphiQL outside production (its files from the
local stack where it has them: functions/graphql/graphiql.py); `GET /health` reports the version and each
dependency in the seed system's shape, `GET /health/ready` the same (503 when a dependency is down),
`GET /health/live` only that the process answers; `GET /metrics` serves Prometheus metrics. The HTTP
handling is written here rather than taken from strawberry's Flask view because this door owns what a
view hides: the body-size limit, the rate limit before a token is verified, the caller's identity and the
operation chosen before execution (a mutation never over GET), CORS, and the rewriting of every error into
a coded one that leaks nothing.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import uuid
from collections.abc import AsyncGenerator, Callable, Iterator
from functools import cache
from typing import Any, NamedTuple

import flask
import strawberry
from graphql import GraphQLError, OperationDefinitionNode, OperationType, get_operation_ast, parse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from strawberry.types import ExecutionResult

from functions.graphql.access import refusal
from functions.graphql.context import CountedReads, RequestContext
from functions.graphql.errors import CODES, api_error
from functions.graphql.graphiql import ASSETS_PREFIX, asset, ide_html
from functions.graphql.limits import (
    RateLimiter,
    client_ip,
    cors_headers,
    preflight,
    root_mutations,
    subscribed_field,
)
from functions.graphql.schema import build_schema
from functions.graphql.trusted import MANIFEST, TrustedDocuments, UnknownDocument, document_id
from functions.runtime import publisher, storage, subscriber
from shared.application.outcomes import OUTCOMES, OutcomeLog
from shared.application.waits import WaitLog
from shared.auth.roles import may
from shared.auth.tokens import TokenVerifier, Unauthenticated
from shared.bus.topics import COMMANDS_TOPIC
from shared.config import settings
from shared.messages.envelope import Actor
from shared.observability.log_metrics import GRAPHQL_REQUEST
from shared.observability.logging import log_context
from shared.observability.metrics import registry
from shared.observability.tracing import request_span

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
EVENT_STREAM = "text/event-stream"
# How long a subscription's stream may stay silent before a comment line keeps it open.
KEEP_ALIVE_SECONDS = 15.0


@cache
def schema() -> strawberry.Schema:
    return build_schema(settings())


@cache
def rate_limiter() -> RateLimiter:
    return RateLimiter(settings().rate_limit)


@cache
def trusted_documents() -> TrustedDocuments:
    return TrustedDocuments.load(settings().trusted_documents_file or MANIFEST)


@cache
def verifier() -> TokenVerifier:
    config = settings()
    return TokenVerifier(config.project_id, config.admin_email, config.check_revoked_tokens)


def _json(body: dict[str, Any], status: int = 200) -> flask.Response:
    return flask.Response(json.dumps(body), status=status, mimetype="application/json")


def _errors_only(*errors: GraphQLError, status: int = 200) -> flask.Response:
    return _json({"errors": [error.formatted for error in errors]}, status)


def _request_body(request: flask.Request) -> dict[str, Any] | flask.Response:
    if request.method == "GET":
        variables = request.args.get("variables")
        try:
            return {
                "query": request.args.get("query"),
                "variables": json.loads(variables) if variables else None,
                "operationName": request.args.get("operationName"),
                "documentId": request.args.get("documentId"),
            }
        except ValueError:
            return _errors_only(api_error("BAD_USER_INPUT", "variables must be JSON"), status=400)
    if (request.content_length or 0) > MAX_BODY_BYTES or len(raw := request.get_data()) > MAX_BODY_BYTES:
        return _errors_only(
            api_error("BAD_USER_INPUT", f"the body is larger than {MAX_BODY_BYTES} bytes"), status=413
        )
    try:
        body = json.loads(raw)
    except ValueError:
        return _errors_only(
            api_error("BAD_USER_INPUT", "the body must be JSON: {query, variables}"), status=400
        )
    if not isinstance(body, dict):
        return _errors_only(api_error("BAD_USER_INPUT", "the body must be a JSON object"), status=400)
    return body


def _clean(error: GraphQLError) -> dict[str, Any]:
    """A client-safe error: coded errors pass; anything else is logged and answered INTERNAL with an id."""
    code = (error.extensions or {}).get("code")
    if code in CODES:
        return error.formatted  # type: ignore[return-value]
    # A syntax or validation error of the query itself, or a variable graphql-core could not coerce to its
    # type (that error wraps graphql-core's own GraphQLError): the client's request, not our fault.
    if error.original_error is None or isinstance(error.original_error, GraphQLError):
        return {**error.formatted, "extensions": {"code": "BAD_USER_INPUT"}}
    error_id = uuid.uuid4().hex
    logger.error("internal error %s in %s", error_id, error.path, exc_info=error.original_error)
    return {
        "message": f"internal error (id {error_id})",
        "path": error.path,
        "extensions": {"code": "INTERNAL", "errorId": error_id},
    }


def _count_request(outcome: str) -> None:
    GRAPHQL_REQUEST.record("graphql request: %s", outcome, outcome=outcome)


def _rate_limited() -> flask.Response:
    _count_request("rate_limited")
    return _errors_only(
        api_error("RATE_LIMITED", f"too many requests: the budget is {rate_limiter().budget}"), status=429
    )


class _Chosen(NamedTuple):
    """The operation a request runs: its name (for execution), how many root mutations it holds, and
    for a subscription (streamed, live.py) its one root field."""

    name: str | None
    mutations: int
    subscription: str | None


def _operation(query: str, name: object, request: flask.Request) -> _Chosen | flask.Response:
    """The operation the request runs, or the answer refusing it: a document that does not parse (as
    execution would answer it), no such operation, a mutation over GET, too many mutations, or a
    subscription not asked for as an event stream."""
    method = request.method
    try:
        document = parse(query)
    except GraphQLError as error:
        return _json({"data": None, "errors": [_clean(error)]})
    if name is not None and not isinstance(name, str):
        return _errors_only(api_error("BAD_USER_INPUT", "operationName must be a string"), status=400)
    name = name or None  # some clients send "" for none
    operation = get_operation_ast(document, name)
    if operation is None:
        named = sum(isinstance(definition, OperationDefinitionNode) for definition in document.definitions)
        if name is not None:
            problem = f"the document has no operation named {name!r}"
        elif named == 0:
            problem = "the document has no operation to run, only fragments"
        else:
            problem = "the document has several operations: name the one to run in operationName"
        return _errors_only(api_error("BAD_USER_INPUT", problem, field="operationName"), status=400)
    if method == "GET" and operation.operation != OperationType.QUERY:
        return _errors_only(api_error("BAD_USER_INPUT", "mutations must be sent with POST"), status=405)
    limit = settings().max_mutations_per_request
    if (mutations := root_mutations(document, operation)) > limit:
        return _errors_only(
            api_error(
                "BAD_USER_INPUT",
                f"the request holds {mutations} mutations, above the limit of {limit}",
                mutations=mutations,
                limit=limit,
            ),
            status=400,
        )
    subscription = subscribed_field(document, operation)
    if subscription is not None and (
        method != "POST" or EVENT_STREAM not in request.headers.get("Accept", "")
    ):
        return _errors_only(
            api_error(
                "BAD_USER_INPUT",
                f"subscriptions are served as Server-Sent Events: POST with 'Accept: {EVENT_STREAM}'",
            ),
            status=400,
        )
    return _Chosen(operation.name.value if operation.name is not None else None, mutations, subscription)


def _document(query: object, named: str | None, actor: Actor) -> str | flask.Response:
    """The document the request runs: the trusted document it names by hash, or its own text, which only an
    admin may send outside the trusted documents where they are enforced. A hash no trusted document has,
    sent with the text (a client whose documents are newer than the server's manifest), runs the text."""
    if named is not None:
        try:
            return trusted_documents().resolve(named)
        except UnknownDocument:
            if isinstance(query, str) and query.strip():
                return _document(query, None, actor)
            return _errors_only(
                api_error(
                    "NOT_FOUND",
                    "no trusted document has this documentId",
                    field="documentId",
                    reason="PERSISTED_QUERY_NOT_FOUND",
                ),
                status=404,
            )
    assert isinstance(query, str)
    any_document = not settings().enforces_trusted_documents or may(actor.role, "admin")
    if not any_document and not trusted_documents().trusts(query):
        return _errors_only(
            api_error(
                "FORBIDDEN",
                "this API runs only its trusted documents: send the documentId of an operation of the "
                "app's manifest, or have your operations allow-listed (README, The API contract)",
                reason="UNTRUSTED_DOCUMENT",
            ),
            status=403,
        )
    return query


def _execute(request: flask.Request) -> flask.Response:
    body = _request_body(request)
    if isinstance(body, flask.Response):
        return body
    query, variables, named = body.get("query"), body.get("variables"), document_id(body)
    if named is None and (not isinstance(query, str) or not query.strip()):
        return _errors_only(api_error("BAD_USER_INPUT", "a query (or a documentId) is required"), status=400)
    if variables is not None and not isinstance(variables, dict):
        return _errors_only(api_error("BAD_USER_INPUT", "variables must be an object"), status=400)
    address, authorization = client_ip(request), request.headers.get("Authorization")
    # Limited before the token is verified: verifying costs a signature check and, with revocation
    # checks, a call to Firebase, which a caller over budget or a stream of bad tokens must not buy.
    if not rate_limiter().admits(address, authorization):
        return _rate_limited()
    try:
        actor = verifier().actor(authorization)
    except Unauthenticated as refused:
        rate_limiter().spend(address)
        _count_request("unauthenticated")
        return _errors_only(api_error("UNAUTHENTICATED", str(refused)), status=401)
    # One unit before parsing, so that a document refused below is paid for too.
    if not rate_limiter().spend(address, actor):
        return _rate_limited()
    document = _document(query, named, actor)
    if isinstance(document, flask.Response):
        return document
    chosen = _operation(document, body.get("operationName"), request)
    if isinstance(chosen, flask.Response):
        return chosen
    if chosen.mutations > 1 and not rate_limiter().spend(address, actor, chosen.mutations - 1):
        return _rate_limited()
    stores = storage()
    outcomes = OutcomeLog(stores.read_models)
    context = RequestContext(
        actor=actor,
        reads=CountedReads(stores.read_models),
        outcomes=outcomes,
        waits=WaitLog(stores.read_models, outcomes),
        publisher=publisher(),
        events=stores.events,
        wait_seconds=settings().command_wait_seconds,
        order_wait_seconds=settings().order_wait_seconds,
        subscription_seconds=settings().subscription_seconds,
        project_id=settings().project_id,
        subscriber=subscriber,
    )
    if chosen.subscription is not None:
        _count_request("subscription")
        denied = refusal(f"Subscription.{chosen.subscription}", actor)
        return _stream(document, variables, context, chosen.name, denied)
    result = asyncio.run(
        schema().execute(
            document,
            variable_values=variables,
            context_value=context,
            operation_name=chosen.name,
        )
    )
    errors = [_clean(error) for error in [*(result.errors or []), *context.rejections]]
    response: dict[str, Any] = {"data": result.data}
    if errors:
        response["errors"] = errors
    _count_request("error" if errors else "ok")
    return _json(response)


def _stream(
    document: str,
    variables: dict[str, Any] | None,
    context: RequestContext,
    operation: str | None,
    refused: GraphQLError | None,
) -> flask.Response:
    """A subscription as Server-Sent Events, as graphql-sse's distinct connections mode reads them: a
    `next` event per result, then `complete`; a comment line while nothing comes, so that proxies keep the
    connection. A client that goes away ends the subscription at the next line written. One the caller may
    not follow is one `next` with the refusal, and no stream is started."""

    def events() -> Iterator[str]:
        if refused is not None:
            yield f"event: next\ndata: {json.dumps({'data': None, 'errors': [_clean(refused)]})}\n\n"
            yield "event: complete\ndata:\n\n"
            return
        loop = asyncio.new_event_loop()
        results: AsyncGenerator[ExecutionResult, None] | None = None
        pending: asyncio.Future[ExecutionResult | None] | None = None
        try:
            results = loop.run_until_complete(
                schema().subscribe(
                    document, variable_values=variables, context_value=context, operation_name=operation
                )
            )
            while True:
                pending = pending or asyncio.ensure_future(_next_result(results), loop=loop)
                done, _ = loop.run_until_complete(asyncio.wait({pending}, timeout=KEEP_ALIVE_SECONDS))
                if not done:
                    yield ": keep-alive\n\n"
                    continue
                result, pending = pending.result(), None
                if result is None:
                    break
                body: dict[str, Any] = {"data": result.data}
                if result.errors:
                    body["errors"] = [_clean(error) for error in result.errors]
                yield f"event: next\ndata: {json.dumps(body)}\n\n"
            yield "event: complete\ndata:\n\n"
        finally:
            if pending is not None:
                pending.cancel()
                loop.run_until_complete(asyncio.wait({pending}))
            if results is not None:
                loop.run_until_complete(results.aclose())
            loop.close()

    return flask.Response(
        events(),
        mimetype=EVENT_STREAM,
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _next_result(results: AsyncGenerator[ExecutionResult, None]) -> ExecutionResult | None:
    """The subscription's next result; None once it has ended."""
    try:
        return await anext(results)
    except StopAsyncIteration:
        return None


# Each dependency of `checks` (Kiroku's names) as the seed's `services` names it.
_SEED_SERVICE_NAMES = {"storage": "database", "pubsub": "pubsub"}


def _health() -> flask.Response:
    """Readiness: storage and Pub/Sub answer. The body is the seed's `{status, version, services}`, with
    Kiroku's own `checks` beside it."""
    checks: dict[str, str] = {}
    try:
        storage().read_models.get(OUTCOMES, "health-probe")
        checks["storage"] = "ok"
    except Exception as error:  # a health check reports every failure instead of raising it
        logger.warning("health: storage unavailable: %s", error)
        checks["storage"] = "unavailable"
    try:
        publisher().check_topic(COMMANDS_TOPIC)
        checks["pubsub"] = "ok"
    except Exception as error:  # as above
        logger.warning("health: Pub/Sub unavailable: %s", error)
        checks["pubsub"] = "unavailable"
    healthy = all(value == "ok" for value in checks.values())
    services = {
        _SEED_SERVICE_NAMES[name]: "connected" if state == "ok" else state for name, state in checks.items()
    }
    body = {
        "status": "ok" if healthy else "degraded",
        "version": settings().version,
        "services": services,
        "checks": checks,
    }
    return _json(body, 200 if healthy else 503)


def _live() -> flask.Response:
    """Liveness: the process answers; no dependency is asked, so an outage elsewhere restarts nothing."""
    return _json({"status": "ok", "version": settings().version}, 200)


def graphql(request: flask.Request) -> flask.Response:
    """The HTTP entry point named `graphql` in the manifest."""
    allowed = settings().allowed_origins
    if request.method == "OPTIONS":
        return preflight(request, allowed)
    response = _route(request)
    response.headers.update(cors_headers(request.headers.get("Origin"), allowed))
    return response


def _metrics(request: flask.Request) -> flask.Response:
    """Prometheus metrics: public locally; elsewhere only for the bearer of KIROKU_METRICS_TOKEN (what a
    scraper sends), and off without one, since the counters describe the traffic of every caller."""
    config = settings()
    expected = config.metrics_token
    if expected is None and config.environment != "local":
        return _errors_only(api_error("NOT_FOUND", "metrics are off: set KIROKU_METRICS_TOKEN"), status=404)
    if expected is not None:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        secret = expected.get_secret_value().encode()
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), secret):
            response = _errors_only(
                api_error("UNAUTHENTICATED", "metrics need 'Authorization: Bearer <metrics token>'"),
                status=401,
            )
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
    return flask.Response(generate_latest(registry()), mimetype=CONTENT_TYPE_LATEST)


# The paths that run no GraphQL, whatever the method.
_SIDE_ROUTES: dict[str, Callable[[flask.Request], flask.Response]] = {
    "/health": lambda _: _health(),
    "/health/ready": lambda _: _health(),
    "/health/live": lambda _: _live(),
    "/metrics": _metrics,
}


def _route(request: flask.Request) -> flask.Response:
    path = request.path.rstrip("/")
    side = _SIDE_ROUTES.get(path)
    runs_graphql = request.method == "POST" or (
        request.method == "GET" and ("query" in request.args or "documentId" in request.args)
    )
    if side is None and runs_graphql:
        with (
            request_span(request.method, request.path, request.headers.items()) as ids,
            log_context(trace=ids),
        ):
            return _execute(request)
    # What runs no GraphQL names no caller: it spends its address's budget.
    if not rate_limiter().spend(client_ip(request)):
        return _rate_limited()
    if side is not None:
        return side(request)
    if request.method == "GET":
        if settings().environment == "prod":
            return _errors_only(api_error("NOT_FOUND", "GraphiQL is off in production"), status=404)
        assets = settings().graphiql_assets
        if assets is not None and request.path.startswith(ASSETS_PREFIX):
            served = asset(assets, request.path)
            return served or _errors_only(api_error("NOT_FOUND", "GraphiQL has no such file"), status=404)
        return flask.Response(ide_html(assets), mimetype="text/html")
    return _errors_only(api_error("BAD_USER_INPUT", "use GET or POST"), status=405)
