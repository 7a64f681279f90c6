"""The web app (web/, Next.js) beside the local stack: built when its sources changed, served by `next start`.

The app reads the stack's addresses (GraphQL, the Auth emulator) from its environment at request time, so
one build serves any stack; `make run` and the browser tests (tests/e2e/test_web.py) start it here.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from emulators.processes import ManagedProcess, free_port, http_ok

if TYPE_CHECKING:
    from emulators.stack import LocalCloud

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
NEXT = WEB_DIR / "node_modules" / "next" / "dist" / "bin" / "next"


def build() -> None:
    """`next build`: the app as it is deployed."""
    subprocess.run(["npm", "run", "build"], cwd=WEB_DIR, env=_environment({}), check=True)


# What a build is made of: a build older than any of these is stale.
BUILD_INPUTS = ("app", "lib", "src", "public", "package-lock.json", "next.config.ts", "tsconfig.json")


def build_if_stale() -> bool:
    """`next build`, unless the build there is newer than every source it was made from (a pull or an
    edit since makes it stale); whether it built."""
    built = WEB_DIR / ".next" / "BUILD_ID"
    if built.exists() and _newest_source() <= built.stat().st_mtime:
        return False
    build()
    return True


def _newest_source() -> float:
    newest = 0.0
    for name in BUILD_INPUTS:
        path = WEB_DIR / name
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            newest = max((file.stat().st_mtime for file in path.rglob("*") if file.is_file()), default=newest)
    return newest


def _environment(extra: dict[str, str]) -> dict[str, str]:
    return {**os.environ, "NEXT_TELEMETRY_DISABLED": "1", **extra}


class WebApp:
    """The built app served on a free loopback port, pointed at one stack."""

    name = "web"

    def __init__(
        self,
        log_dir: Path,
        graphql_url: str,
        project_id: str,
        auth_emulator_host: str | None,
        settings: dict[str, str] | None = None,
    ) -> None:
        """`settings`: more of the app's variables (README, "The web app")."""
        self.port = free_port()
        self.graphql_url = graphql_url
        settings = {
            "KIROKU_GRAPHQL_URL": graphql_url,
            "KIROKU_FIREBASE_PROJECT_ID": project_id,
            **(settings or {}),
        }
        if auth_emulator_host:
            settings["FIREBASE_AUTH_EMULATOR_HOST"] = auth_emulator_host
        self._process = ManagedProcess(
            "web",
            ["node", str(NEXT), "start", "--port", str(self.port), "--hostname", "127.0.0.1"],
            log_dir / "web.log",
            env=_environment(settings),
            cwd=WEB_DIR,
        )

    @classmethod
    def beside(cls, cloud: LocalCloud, graphql_url: str, settings: dict[str, str] | None = None) -> WebApp:
        """The app pointed at `cloud`, its logs with the cloud's."""
        auth_emulator = cloud.environment().get("FIREBASE_AUTH_EMULATOR_HOST")
        return cls(cloud.log_dir, graphql_url, cloud.options.project_id, auth_emulator, settings)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Serve the build there (`build_if_stale` makes it first)."""
        self._process.start()
        self._process.wait_until(lambda: http_ok(f"{self.url}/sign-in", timeout=5), 90, "it answered")

    def stop(self) -> None:
        self._process.stop()

    def pids(self) -> list[int]:
        return [self._process.pid] if self._process.pid is not None else []
