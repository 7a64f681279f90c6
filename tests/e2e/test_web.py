"""The web app in a real browser: Debian's Chromium driven by Playwright (web/tests/*.spec.ts) against the
local stack on each backend, with the demo catalogue and the demo users: the storefront and sign-in, and the
writer's buying path (cart, checkout with the fake gateway's tokens, the order followed live, a declined
card, cancelling from "my orders"), and the admins' operations console (a price change seen in the shop,
a dead letter replayed, the console closed to writers)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.web import load_pages
from emulators.demo import DEMO_USERS, load_demo_catalogue
from emulators.web import WEB_DIR, WebApp, build_if_stale
from tests.e2e.conftest import Stack, until
from tests.kiroku_cli.conftest import Cloud
from tests.kiroku_cli.test_dead_letters import FUNCTION, poison_update

# What the poisoned UpdateCategory renames its category to, once replayed.
REPLAYED_NAME = "Replayed from the console"


@dataclass
class PoisonedUpdate:
    """An UpdateCategory whose function fails on every delivery (its category's first event damaged by
    hand), sent for the console to find among the dead letters and replay once the cause is fixed."""

    cloud: Cloud
    category: str
    command_id: str
    original_payload: str

    def dead_lettered_then_fixed(self) -> dict[str, str]:
        """Waits for the dead letter, repairs its cause; what the console test looks for (environment)."""
        query = f'{{ deadLetters(function: "{FUNCTION}", first: 100) {{ aggregateId }} }}'
        until(
            lambda: any(
                letter["aggregateId"] == self.category
                for letter in self.cloud.admin.data(query)["deadLetters"]
            ),
            timeout=120,
            every=2,
        )
        self.cloud.set_event_field(f"Category-{self.category}", 1, "payload", self.original_payload)
        return {
            "KIROKU_DEAD_LETTER_FUNCTION": FUNCTION,
            "KIROKU_DEAD_LETTER_CATEGORY": self.category,
            "KIROKU_DEAD_LETTER_COMMAND": self.command_id,
            "KIROKU_DEAD_LETTER_NAME": REPLAYED_NAME,
        }


@pytest.fixture(scope="module")
def poisoned_update(stack: Stack) -> PoisonedUpdate:
    """Sent before the app starts, so its deliveries fail meanwhile. The operations tests' helpers damage
    the event store; they take a Cloud, which this stack is seen as (it has no writer or state of its own)."""
    cloud = Cloud(
        stack.cloud, stack.cloud.options.storage, stack.log_dir, stack.admin, stack.reader, stack.storage
    )
    category, command_id, original = poison_update(cloud, REPLAYED_NAME)
    return PoisonedUpdate(cloud, category, command_id, original)


@pytest.fixture(scope="module")
def web_app(stack: Stack) -> Iterator[WebApp]:
    assert stack.admin.token is not None
    load_demo_catalogue(stack.admin.url, stack.admin.token)
    email, password = DEMO_USERS["writer"]
    stack.users.ensure_user(email, password, email_verified=True)
    # As a deployment that turned Google's sign-in on (storefront.spec.ts cuts Google off).
    app = WebApp.beside(stack.cloud, stack.admin.url, {"KIROKU_GOOGLE_SIGN_IN": "true"})
    build_if_stale()
    app.start()
    try:
        yield app
    finally:
        app.stop()


def test_the_storefront_sign_in_checkout_and_console_work_in_a_browser(
    poisoned_update: PoisonedUpdate, web_app: WebApp, stack: Stack
) -> None:
    dead_letter = poisoned_update.dead_lettered_then_fixed()
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
            **dead_letter,
            **screenshots,
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}\n{_pages_at_failure(results)}"
    assert " passed" in run.stdout, run.stdout
    assert " failed" not in run.stdout, run.stdout


def _pages_at_failure(results: Path) -> str:
    """What the page held when each failing test gave up (Playwright's snapshot of it), for a run whose
    directory is gone by the time anyone reads its output."""
    return "\n".join(
        f"--- {context.parent.name}\n{context.read_text()}"
        for context in sorted(results.rglob("error-context.md"))
    )


def test_make_bench_web_measures_the_storefronts_first_page(web_app: WebApp, stack: Stack) -> None:
    """`make bench-web`'s measuring, one cold load each way: the page painted and shipped JavaScript, and
    with its scripts refused it painted too and took none."""
    vitals = load_pages(web_app.url, 1, stack.log_dir)
    shown, html_alone = vitals.with_javascript, vitals.without_javascript
    assert 0 < shown["fcpMs"] <= shown["lcpMs"]
    assert html_alone["lcpMs"] > 0
    assert shown["scripts"] > 0
    assert shown["scriptDecodedBytes"] > 10_000
    assert html_alone["scriptDecodedBytes"] == 0
