"""The manifest: every function, its trigger and its delivery policies, in one declarative file.

Terraform (`yamldecode`) and the local runner read the same `manifest.yaml`, so nothing is wired twice.
This model is the one place its rules are written down; a bad manifest fails with a message naming the
function and the field. Names derived from a function (its subscription and dead-letter topic) are
defined here and mirrored, by the same formula, in `terraform/modules/functions`.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from shared.bus.subscription_filter import FilterSyntaxError, parse_filter
from shared.config import settings

FUNCTION_NAME = r"^[a-z][a-z0-9-]{0,40}[a-z0-9]$"
TOPIC_NAME = r"^[a-z][a-z0-9-]{1,100}$"
DEFAULT_MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yaml"


class ManifestError(ValueError):
    """The manifest is invalid; the message names each offending function and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RetryPolicy(_Strict):
    """Pub/Sub's exponential backoff between redeliveries of a nacked message."""

    minimum_backoff_seconds: int = Field(default=10, ge=0, le=600)
    maximum_backoff_seconds: int = Field(default=600, ge=0, le=600)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.minimum_backoff_seconds > self.maximum_backoff_seconds:
            raise ValueError("minimum_backoff_seconds is larger than maximum_backoff_seconds")
        return self

    def backoff_seconds(self, delivery_attempt: int) -> float:
        """The delay before redelivering after the given failed attempt (doubling, capped)."""
        delay = self.minimum_backoff_seconds * 2 ** max(delivery_attempt - 1, 0)
        return float(min(delay, self.maximum_backoff_seconds))


class DeadLetterPolicy(_Strict):
    """After this many failed deliveries a message moves to the function's dead-letter topic."""

    max_delivery_attempts: int = Field(default=5, ge=5, le=100)


class HttpTrigger(_Strict):
    """Invoked by HTTP: the public GraphQL door (`public: true`) or an internal scheduled job."""

    type: Literal["http"]
    public: bool = False


class TopicTrigger(_Strict):
    """Invoked by a push subscription on `topic`, receiving only messages that match `filter`."""

    type: Literal["topic"]
    topic: str = Field(pattern=TOPIC_NAME)
    filter: str | None = None

    @field_validator("filter")
    @classmethod
    def _valid_filter(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_filter(value)
            except FilterSyntaxError as error:
                raise ValueError(f"invalid Pub/Sub filter: {error}") from error
        return value


class Schedule(_Strict):
    """A job run on a schedule: Cloud Scheduler's cron in the cloud, a timer in the local runner."""

    cron: str = Field(min_length=9)
    local_interval_seconds: float = Field(default=5.0, gt=0, le=3600)


class FunctionSpec(_Strict):
    """One Cloud Function: one entry point of the source bundle, one trigger, its policies and size."""

    name: str = Field(pattern=FUNCTION_NAME)
    entry_point: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    description: str = ""
    trigger: Annotated[HttpTrigger | TopicTrigger, Field(discriminator="type")]
    ordering: bool = False
    retry: RetryPolicy = RetryPolicy()
    dead_letter: DeadLetterPolicy = DeadLetterPolicy()
    ack_deadline_seconds: int = Field(default=60, ge=10, le=600)
    timeout_seconds: int = Field(default=60, ge=1, le=540)
    memory_mb: int = Field(default=256, ge=128, le=32768)
    max_instances: int = Field(default=10, ge=1, le=1000)
    # Requests an instance serves at once. Above 1 Cloud Run wants a whole vCPU (`cpu`): the GraphQL
    # function's subscriptions each hold a request open (functions/graphql/live.py), which must not
    # take an instance each.
    concurrency: int = Field(default=1, ge=1, le=1000)
    # vCPUs of an instance; none: Cloud Run functions' default for the memory size.
    cpu: float | None = Field(default=None, gt=0, le=8)
    schedule: Schedule | None = None
    environment: dict[str, str] = Field(default_factory=dict)
    # The topics this function publishes to: in the cloud its account may publish to these and no other
    # (terraform/modules/pubsub), and tests/deploy checks the list against what the code publishes.
    publishes: tuple[Annotated[str, Field(pattern=TOPIC_NAME)], ...] = ()
    # What the function may do in the database: `write` (the application's role: read and write rows,
    # never change the schema), `read` (read the read models and the event streams, write nothing: the
    # public GraphQL door) or `none`. In the cloud each function gets the credentials of its level
    # (terraform/modules/storage); locally every function shares the local database's one user.
    database: Literal["write", "read", "none"] = "write"

    @field_validator("publishes")
    @classmethod
    def _distinct_publishes(cls, topics: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(topics)) != len(topics):
            raise ValueError("a topic is listed twice")
        return topics

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.schedule is not None and self.trigger.type != "http":
            raise ValueError("schedule needs an http trigger")
        if self.ordering and self.trigger.type != "topic":
            raise ValueError("ordering needs a topic trigger")
        if self.concurrency > 1 and (self.cpu is None or self.cpu < 1):
            raise ValueError("a concurrency above 1 needs cpu of 1 or more")
        return self

    @property
    def subscription(self) -> str:
        """The function's push subscription (`<function>-push`)."""
        return f"{self.name}-push"

    @property
    def dead_letter_topic(self) -> str:
        """The topic this function's undeliverable messages move to (`<function>-dead-letter`)."""
        return f"{self.name}-dead-letter"

    @property
    def dead_letter_subscription(self) -> str:
        """The subscription that keeps dead letters until an operator replays or drops them."""
        return f"{self.name}-dead-letter-kept"


class Manifest(_Strict):
    """Every function and topic of a Kiroku deployment."""

    source: str = Field(min_length=1, description="the Python file that exposes every entry point")
    topics: list[Annotated[str, Field(pattern=TOPIC_NAME)]] = Field(min_length=1)
    audited: list[str] = Field(
        default_factory=list,
        description="the topics each of whose messages is kept, as published, in the audit record",
    )
    defaults: dict[str, Any] = Field(default_factory=dict)
    functions: list[FunctionSpec] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _apply_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("defaults"), dict):
            defaults = data["defaults"]
            functions = data.get("functions")
            if isinstance(functions, list):
                data = {
                    **data,
                    "functions": [
                        {**defaults, **spec} if isinstance(spec, dict) else spec for spec in functions
                    ],
                }
        return data

    @field_validator("topics")
    @classmethod
    def _distinct_topics(cls, topics: list[str]) -> list[str]:
        if len(set(topics)) != len(topics):
            raise ValueError("topics are listed twice")
        return topics

    @model_validator(mode="after")
    def _references(self) -> Self:
        unknown_audited = [topic for topic in self.audited if topic not in self.topics]
        if unknown_audited:
            raise ValueError(f"audited {unknown_audited} not in topics")
        seen: set[str] = set()
        for spec in self.functions:
            if spec.name in seen:
                raise ValueError(f"function {spec.name!r} is listed twice")
            seen.add(spec.name)
            if isinstance(spec.trigger, TopicTrigger) and spec.trigger.topic not in self.topics:
                raise ValueError(
                    f"function {spec.name!r}: trigger.topic {spec.trigger.topic!r} is not in topics"
                )
            unknown = [topic for topic in spec.publishes if topic not in self.topics]
            if unknown:
                raise ValueError(f"function {spec.name!r}: publishes {unknown} not in topics")
        return self

    def with_retry(self, entry_points: Collection[str], retry: RetryPolicy) -> Manifest:
        """This manifest with `retry` for the functions of those entry points: a local stack whose
        gateways' circuits reset sooner than the cloud's redelivers their waiting commands sooner too."""
        functions = [
            spec.model_copy(update={"retry": retry}) if spec.entry_point in entry_points else spec
            for spec in self.functions
        ]
        return self.model_copy(update={"functions": functions})

    def function(self, name: str) -> FunctionSpec:
        for spec in self.functions:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @classmethod
    def load(cls, path: Path = DEFAULT_MANIFEST) -> Manifest:
        """Read and validate a manifest file, or raise `ManifestError` naming what is wrong."""
        try:
            raw = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError) as error:
            raise ManifestError(f"{path}: cannot read manifest: {error}") from error
        return cls.parse(raw, origin=str(path))

    @classmethod
    def parse(cls, raw: Any, origin: str = "manifest") -> Manifest:
        try:
            return cls.model_validate(raw)
        except ValidationError as error:
            raise ManifestError(_describe(error, raw, origin)) from None


def _describe(error: ValidationError, raw: Any, origin: str) -> str:
    """One line per problem, naming the function (not its list index) and the dotted field path."""
    functions = raw.get("functions") if isinstance(raw, dict) else None
    lines = [f"{origin} is invalid:"]
    for problem in error.errors():
        location = list(problem["loc"])
        where = "manifest"
        if len(location) >= 2 and location[0] == "functions" and isinstance(location[1], int):
            index = location[1]
            name = None
            if isinstance(functions, list) and index < len(functions) and isinstance(functions[index], dict):
                name = functions[index].get("name")
            where = f"function {name!r}" if name else f"function #{index + 1}"
            location = location[2:]
        # Discriminated unions insert the chosen tag into the path; it is noise to a reader.
        field = ".".join(
            str(part) for part in location if part not in ("http", "topic") or part == location[-1]
        )
        lines.append(f"  {where}: {field or '(whole entry)'}: {problem['msg']}")
    return "\n".join(lines)


@cache
def running_function() -> FunctionSpec | None:
    """The function this process serves, from the manifest its subscription was made from
    (`KIROKU_MANIFEST_FILE` locally); None when the manifest has no function of this name, as for
    handlers a test builds itself."""
    config = settings()
    try:
        return Manifest.load(config.manifest_file or DEFAULT_MANIFEST).function(config.function_name)
    except KeyError:
        return None
