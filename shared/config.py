"""Settings from the environment, validated once per process.

Every function reads its configuration through `settings()`; a missing or malformed variable fails the
cold start with a message naming it, instead of failing later inside a request.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.messages.fulfilment import Step

MIN_METRICS_TOKEN_LENGTH = 32


class Settings(BaseSettings):
    """Process-wide configuration; environment variable names are given per field."""

    model_config = SettingsConfigDict(
        env_prefix="KIROKU_", extra="ignore", frozen=True, populate_by_name=True
    )

    project_id: str = Field(
        default="kiroku-local",
        validation_alias=AliasChoices("KIROKU_PROJECT_ID", "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT"),
        min_length=1,
    )
    environment: Literal["local", "dev", "prod"] = "local"
    # What `/health` names as the running code: Terraform sets the deployed bundle's SHA-256 (its first
    # 12 digits); a process it did not deploy says "local".
    version: str = Field(default="local", min_length=1, max_length=64)
    storage: Literal["postgres", "firestore"] = "postgres"
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL"))
    # Apply pending schema migrations when the PostgreSQL store opens: locally (one database user, a fresh
    # database per test run). Terraform sets it false: the cloud migrates in a deploy step, and the
    # functions' roles may not change the schema (shared/eventstore/deploy_schema.py).
    migrate_on_open: bool = True
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    function_name: str = Field(
        default="local",
        validation_alias=AliasChoices("K_SERVICE", "FUNCTION_TARGET", "KIROKU_FUNCTION_NAME"),
    )
    admin_email: str | None = Field(
        default=None, validation_alias=AliasChoices("ADMIN_EMAIL", "KIROKU_ADMIN_EMAIL")
    )
    check_revoked_tokens: bool = True
    command_wait_seconds: float = Field(default=10.0, gt=0, le=60)
    # placeOrder with wait: how long to wait for the order to complete, be cancelled or start compensating.
    order_wait_seconds: float = Field(default=30.0, gt=0, le=120)
    # How long a subscription streams before it ends (the client subscribes again): under the GraphQL
    # function's request timeout (manifest.yaml), which would cut it mid-stream.
    subscription_seconds: float = Field(default=50.0, gt=0, le=3500)
    max_query_depth: int = Field(default=10, ge=2, le=50)
    max_query_complexity: int = Field(default=5000, ge=10)
    rate_limit: str = Field(default="600/minute", pattern=r"^\d+/(second|minute|hour)$")
    # Each root mutation also spends one unit of the rate limit.
    max_mutations_per_request: int = Field(default=10, ge=1, le=100)
    # `enforce`: only trusted documents (functions/graphql/trusted.py) run, except for admins; the default
    # in prod. `off`: any document runs, within the cost limits; the default elsewhere.
    trusted_documents: Literal["enforce", "off"] | None = None
    # The trusted documents' manifest (hash -> document); default: the one the bundle ships.
    trusted_documents_file: Path | None = None
    # The manifest this function's subscription was made from (its retry policy); default: the bundle's,
    # which Terraform deploys. The local runner writes its own, whose policies a test may have shortened.
    manifest_file: Path | None = None
    # A node_modules with the files of the GraphiQL page (emulators/graphiql): served locally instead of
    # loaded from unpkg, so GraphiQL works offline (functions/graphql/graphiql.py).
    graphiql_assets: Path | None = None
    # The bearer secret a Prometheus scraper sends for /metrics; without it /metrics is served only locally.
    metrics_token: SecretStr | None = None
    cors_origins: str = Field(default="", description="comma-separated origins allowed to call the API")
    # Where finished spans go (shared/observability/tracing.py). `cloud-trace`: Cloud Trace, the default in
    # dev and prod; `file`: JSON lines appended to trace_file (the local cloud keeps every function's spans
    # so, for `kiroku trace`); `none`: made and propagated, kept nowhere, the default elsewhere.
    trace_export: Literal["cloud-trace", "file", "none"] | None = None
    trace_file: Path | None = None
    # false: no span is recorded (traces still propagate through the messages) and no measurement is
    # logged or counted (shared/observability/log_metrics.py): what `make bench-e2e` compares against, to
    # price them, or a deployment that wants neither.
    telemetry: bool = True

    @property
    def allowed_origins(self) -> frozenset[str]:
        return frozenset(
            origin.strip().rstrip("/") for origin in self.cors_origins.split(",") if origin.strip()
        )

    firebase_auth_emulator_host: str | None = Field(
        default=None, validation_alias=AliasChoices("FIREBASE_AUTH_EMULATOR_HOST")
    )

    # Payment and shipping gateways (shared/adapters). The URLs have no default: a localhost default would
    # silently point a deployed function at nothing, so the adapters' factories refuse to build without
    # them and name the variable; only the functions that call a gateway need them. The local cloud
    # points both at its fake gateway.
    payment_gateway_url: str | None = Field(default=None, pattern=r"^https?://[^\s/]+(/\S*)?$")
    shipping_gateway_url: str | None = Field(default=None, pattern=r"^https?://[^\s/]+(/\S*)?$")
    gateway_timeout_seconds: float = Field(default=2.0, gt=0, le=30)  # per HTTP request (connect, read)
    gateway_attempts: int = Field(default=3, ge=1, le=10)  # tries per call, the first one included
    gateway_breaker_fail_max: int = Field(default=5, ge=1)  # consecutive failed requests that open it
    gateway_breaker_reset_seconds: float = Field(default=30.0, gt=0)  # open this long, then one trial

    # Per-step deadlines of the fulfilment saga, in seconds, overriding shared/domain/fulfilment.py's
    # defaults, e.g. KIROKU_SAGA_DEADLINE_SECONDS='{"SHIPPING": 300}'.
    saga_deadline_seconds: tuple[tuple[Step, float], ...] = ()

    @field_validator("saga_deadline_seconds", mode="before")
    @classmethod
    def _deadline_pairs(cls, value: object) -> object:
        # Settings are hashable (gateways are cached per settings): the JSON object becomes sorted pairs.
        return tuple(sorted(value.items())) if isinstance(value, dict) else value

    @field_validator("metrics_token")
    @classmethod
    def _guessable_metrics_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_METRICS_TOKEN_LENGTH:
            raise ValueError(f"KIROKU_METRICS_TOKEN needs at least {MIN_METRICS_TOKEN_LENGTH} characters")
        return value

    @model_validator(mode="after")
    def _emulators_stay_local(self) -> Self:
        # firebase-admin trusts unsigned tokens when this variable is set: it must never reach the cloud.
        if self.environment != "local" and self.firebase_auth_emulator_host:
            raise ValueError(
                f"FIREBASE_AUTH_EMULATOR_HOST is set in the {self.environment} environment; "
                "the Auth emulator's unsigned tokens are for local use only"
            )
        return self

    @model_validator(mode="after")
    def _trace_file_named(self) -> Self:
        if self.trace_export == "file" and self.trace_file is None:
            raise ValueError("KIROKU_TRACE_EXPORT=file needs KIROKU_TRACE_FILE: the file to write spans to")
        return self

    @property
    def span_destination(self) -> Literal["cloud-trace", "file", "none"]:
        return self.trace_export or ("none" if self.environment == "local" else "cloud-trace")

    @property
    def enforces_trusted_documents(self) -> bool:
        return (self.trusted_documents or ("enforce" if self.environment == "prod" else "off")) == "enforce"


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The validated settings of this process (read once, then cached)."""
    return Settings()
