"""Verifies Firebase ID tokens with firebase-admin and turns them into an actor with a role.

- no `Authorization` header: a reader (catalogue queries only);
- a valid token: a writer, or an admin when its verified email is `ADMIN_EMAIL` or it carries the custom
  claim `role=admin`;
- a header that is present but not a valid, unexpired, unrevoked token of this project: `Unauthenticated`,
  never a silent downgrade to reader.

firebase-admin accepts unsigned tokens when `FIREBASE_AUTH_EMULATOR_HOST` is set; `shared.config` refuses
to start outside the local environment with that variable set, so the emulator can never weaken
production.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import firebase_admin
from firebase_admin import auth as firebase_auth

from shared.messages.envelope import Actor

logger = logging.getLogger(__name__)

READER = Actor(uid="anonymous", role="reader")
CLOCK_SKEW_SECONDS = 5
_APP_NAME = "kiroku"


class Unauthenticated(Exception):
    """A credential was presented and it is not acceptable; the message is safe to show the caller."""


class TokenVerifier:
    """Verifies bearer tokens for one Firebase project."""

    def __init__(self, project_id: str, admin_email: str | None, check_revoked: bool) -> None:
        self.admin_email = admin_email.strip().lower() if admin_email else None
        self.check_revoked = check_revoked
        try:
            self._app = firebase_admin.get_app(_APP_NAME)
        except ValueError:
            self._app = firebase_admin.initialize_app(options={"projectId": project_id}, name=_APP_NAME)

    def actor(self, authorization: str | None) -> Actor:
        """The actor behind an `Authorization` header value (None or empty: a reader)."""
        if authorization is None or not authorization.strip():
            return READER
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("the Authorization header must be 'Bearer <Firebase ID token>'")
        claims = self._verify(token.strip())
        return Actor(uid=str(claims["uid"]), role="admin" if self._is_admin(claims) else "writer")

    def _verify(self, token: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = firebase_auth.verify_id_token(
                token, app=self._app, check_revoked=self.check_revoked
            )
        except firebase_auth.RevokedIdTokenError:
            raise Unauthenticated("the ID token has been revoked; sign in again") from None
        except firebase_auth.ExpiredIdTokenError:
            raise Unauthenticated("the ID token has expired; refresh it") from None
        except firebase_auth.UserDisabledError:
            raise Unauthenticated("this user is disabled") from None
        except firebase_auth.UserNotFoundError:
            raise Unauthenticated("the ID token's user does not exist") from None
        except (firebase_auth.InvalidIdTokenError, ValueError) as error:
            logger.info("refused an ID token: %s", error)
            raise Unauthenticated("the ID token is not valid for this project") from None
        except firebase_auth.CertificateFetchError:
            logger.exception("cannot fetch Firebase's public keys to verify ID tokens")
            raise
        # firebase-admin skips the expiry check for emulator tokens; checking here too costs nothing.
        now = time.time()
        if float(claims.get("exp", 0)) < now - CLOCK_SKEW_SECONDS:
            raise Unauthenticated("the ID token has expired; refresh it")
        if float(claims.get("iat", now + 3600)) > now + CLOCK_SKEW_SECONDS:
            raise Unauthenticated("the ID token is not valid for this project")
        return claims

    def _is_admin(self, claims: dict[str, Any]) -> bool:
        if claims.get("role") == "admin":
            return True
        email = str(claims.get("email", "")).lower()
        return bool(self.admin_email and email == self.admin_email and claims.get("email_verified") is True)
