"""The web app in a real browser: Debian's Chromium driven by Playwright (web/tests/*.spec.ts) against the
local stack on each backend, with the demo catalogue and the demo users: the storefront and sign-in, and the
writer's buying path (cart, checkout with the fake gateway's tokens, the order followed live, a declined
card, cancelling from "my orders")."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from emulators.demo import DEMO_USERS, load_demo_catalogue
from emulators.web import WEB_DIR, WebApp
from tests.e2e.conftest import Stack


@pytest.fixture(scope="module")
def web_app(stack: Stack) -> Iterator[WebApp]:
    assert stack.admin.token is not None
    load_demo_catalogue(stack.admin.url, stack.admin.token)
    email, password = DEMO_USERS["writer"]
    stack.users.ensure_user(email, password, email_verified=True)
    environment = stack.cloud.environment()
    app = WebApp(
        stack.log_dir,
        stack.admin.url,
        stack.cloud.options.project_id,
        environment.get("FIREBASE_AUTH_EMULATOR_HOST"),
    )
    app.start()
    try:
        yield app
    finally:
        app.stop()


def test_the_storefront_sign_in_and_checkout_work_in_a_browser(web_app: WebApp, stack: Stack) -> None:
    results = stack.log_dir / "playwright"
    # The README's screenshots come from one backend's run; the other's stay with its results.
    own = stack.cloud.options.storage != "postgres"
    screenshots = {"KIROKU_SCREENSHOTS": str(results / "screenshots")} if own else {}
    run = subprocess.run(
        ["npx", "playwright", "test", "--forbid-only"],
        cwd=WEB_DIR,
        env={
            **os.environ,
            "KIROKU_WEB_URL": web_app.url,
            "KIROKU_GRAPHQL_URL": web_app.graphql_url,
            "KIROKU_WEB_RESULTS": str(results),
            **screenshots,
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
    assert " passed" in run.stdout, run.stdout
    assert " failed" not in run.stdout, run.stdout
