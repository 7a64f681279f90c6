"""Users and ID tokens on the Firebase Auth emulator, through its documented REST API.

`make run` creates the demo admin and writer with it, `make token` prints their ID tokens, and the tests
sign users in with it. The emulator accepts any API key and the `Bearer owner` admin credential.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import requests

_API_KEY = "fake-api-key"  # the emulator ignores the key's value, but the request needs one


@dataclass(frozen=True)
class SignedIn:
    uid: str
    id_token: str


class AuthEmulatorUsers:
    """Creates users, sets their claims and signs them in on one Auth emulator."""

    def __init__(self, host: str, project_id: str) -> None:
        self._base = f"http://{host}/identitytoolkit.googleapis.com/v1"
        self._project_id = project_id

    def _post(self, path: str, body: dict[str, Any], admin: bool = False) -> dict[str, Any]:
        headers = {"Authorization": "Bearer owner"} if admin else {}
        response = requests.post(
            f"{self._base}/{path}?key={_API_KEY}", json=body, headers=headers, timeout=10
        )
        if response.status_code != 200:
            raise RuntimeError(f"auth emulator refused {path}: {response.status_code} {response.text[:300]}")
        result: dict[str, Any] = response.json()
        return result

    def sign_in(self, email: str, password: str) -> SignedIn:
        reply = self._post(
            "accounts:signInWithPassword", {"email": email, "password": password, "returnSecureToken": True}
        )
        return SignedIn(uid=reply["localId"], id_token=reply["idToken"])

    def ensure_user(
        self, email: str, password: str, *, email_verified: bool = False, claims: dict[str, str] | None = None
    ) -> SignedIn:
        """Create the user unless it exists, apply its verification and claims, and sign it in."""
        try:
            uid = self.sign_in(email, password).uid
        except RuntimeError:
            uid = self._post(
                "accounts:signUp", {"email": email, "password": password, "returnSecureToken": True}
            )["localId"]
        self._post(
            f"projects/{self._project_id}/accounts:update",
            {"localId": uid, "emailVerified": email_verified, "customAttributes": json.dumps(claims or {})},
            admin=True,
        )
        return self.sign_in(email, password)

    def disable(self, uid: str) -> None:
        self._post(
            f"projects/{self._project_id}/accounts:update", {"localId": uid, "disableUser": True}, admin=True
        )

    def revoke(self, uid: str) -> None:
        """Revoke the user's sessions: ID tokens issued before now are refused where revocation is checked."""
        self._post(
            f"projects/{self._project_id}/accounts:update",
            {"localId": uid, "validSince": str(int(time.time()))},
            admin=True,
        )
