"""ID tokens from the real Firebase Auth emulator, verified by firebase-admin into actors with roles."""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from collections.abc import Iterator

import pytest

from emulators.auth_users import AuthEmulatorUsers
from emulators.services import FirebaseAuthEmulator
from shared.auth.tokens import READER, TokenVerifier, Unauthenticated
from shared.config import Settings
from tests.conftest import AUTH_PROJECT

ADMIN_EMAIL = "boss@kiroku.test"


@pytest.fixture(scope="module")
def users(auth_emulator: FirebaseAuthEmulator) -> Iterator[AuthEmulatorUsers]:
    os.environ.update(auth_emulator.environment())  # firebase-admin finds the emulator through it
    yield AuthEmulatorUsers(auth_emulator.host, AUTH_PROJECT)
    for name in auth_emulator.environment():
        os.environ.pop(name, None)


@pytest.fixture(scope="module")
def verifier(users: AuthEmulatorUsers) -> TokenVerifier:
    return TokenVerifier(AUTH_PROJECT, ADMIN_EMAIL, check_revoked=True)


def _email() -> str:
    return f"{uuid.uuid4().hex[:12]}@kiroku.test"


def _forge(token: str, **claims: object) -> str:
    """The emulator's tokens are unsigned JWTs: rewrite some claims, keep the rest."""
    header, payload, signature = token.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**decoded, **claims}).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_no_header_is_a_reader(verifier: TokenVerifier) -> None:
    assert verifier.actor(None) == READER
    assert verifier.actor("") == READER


def test_a_signed_in_user_is_a_writer(users: AuthEmulatorUsers, verifier: TokenVerifier) -> None:
    user = users.ensure_user(_email(), "secret-password")
    actor = verifier.actor(f"Bearer {user.id_token}")
    assert (actor.uid, actor.role) == (user.uid, "writer")


def test_the_admin_by_verified_email_and_by_claim(users: AuthEmulatorUsers, verifier: TokenVerifier) -> None:
    by_email = users.ensure_user(ADMIN_EMAIL, "secret-password", email_verified=True)
    by_claim = users.ensure_user(_email(), "secret-password", claims={"role": "admin"})
    assert verifier.actor(f"Bearer {by_email.id_token}").role == "admin"
    assert verifier.actor(f"Bearer {by_claim.id_token}").role == "admin"


def test_the_admin_email_unverified_is_only_a_writer(users: AuthEmulatorUsers) -> None:
    verifier = TokenVerifier(AUTH_PROJECT, "unverified-boss@kiroku.test", check_revoked=False)
    user = users.ensure_user("unverified-boss@kiroku.test", "secret-password", email_verified=False)
    assert verifier.actor(f"Bearer {user.id_token}").role == "writer"


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer garbage", "Basic dXNlcjpwYXNz", "Bearer a.b.c", "Token abc"],
)
def test_garbage_is_unauthenticated_never_a_reader(verifier: TokenVerifier, header: str) -> None:
    with pytest.raises(Unauthenticated):
        verifier.actor(header)


def test_expired_wrong_project_revoked_and_disabled_tokens_are_refused(
    users: AuthEmulatorUsers, verifier: TokenVerifier
) -> None:
    user = users.ensure_user(_email(), "secret-password")
    expired = _forge(user.id_token, exp=int(time.time()) - 60)
    other_project = _forge(
        user.id_token, aud="someone-else", iss="https://securetoken.google.com/someone-else"
    )
    for token, reason in ((expired, "expired"), (other_project, "not valid for this project")):
        with pytest.raises(Unauthenticated, match=reason):
            verifier.actor(f"Bearer {token}")

    time.sleep(1.1)  # revocation is by whole seconds: tokens issued before `validSince`
    users.revoke(user.uid)
    with pytest.raises(Unauthenticated, match="revoked"):
        verifier.actor(f"Bearer {user.id_token}")

    disabled = users.ensure_user(_email(), "secret-password")
    users.disable(disabled.uid)
    with pytest.raises(Unauthenticated, match="disabled"):
        verifier.actor(f"Bearer {disabled.id_token}")


def test_a_forged_uid_is_refused_where_revocation_is_checked(
    users: AuthEmulatorUsers, verifier: TokenVerifier
) -> None:
    user = users.ensure_user(_email(), "secret-password")
    forged = _forge(user.id_token, user_id="nobody", sub="nobody")
    with pytest.raises(Unauthenticated):
        verifier.actor(f"Bearer {forged}")


def test_outside_the_emulator_an_emulator_token_is_refused(
    users: AuthEmulatorUsers, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = users.ensure_user(_email(), "secret-password").id_token
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST")
    production_verifier = TokenVerifier(AUTH_PROJECT, ADMIN_EMAIL, check_revoked=False)
    with pytest.raises(Unauthenticated):
        production_verifier.actor(f"Bearer {token}")


def test_the_emulator_variable_cannot_reach_a_cloud_environment() -> None:
    with pytest.raises(ValueError, match="for local use only"):
        Settings(environment="prod", firebase_auth_emulator_host="127.0.0.1:9099")
    assert Settings(environment="local", firebase_auth_emulator_host="127.0.0.1:9099").environment == "local"
