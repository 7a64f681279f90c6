"""`make bench-web`: the storefront's first page as a first-time visitor's browser loads it.

Lighthouse's figures for a page load, taken from the browser's own Performance API in Debian's Chromium
(web/bench/vitals.spec.ts, through Playwright): largest contentful paint, first contentful paint, time to
first byte, and the JavaScript the page ships (on the wire and decoded). The baseline, measured in the
same run, is the same page with its script files refused: the server-rendered HTML and styles alone, so
the ratios say what the app's JavaScript costs a visitor. The app is freshly built (`next build`, as
deployed) and served by `next start` beside the whole local cloud with the demo catalogue; every load is
cold (a new browser context). Lighthouse itself is not used: it drives Chrome through its own launcher
and reports a simulated slow phone, where this measures this machine's real loads.

    python -m bench.web [--loads 7] [--storage postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.e2e import sign_in, stack_options
from emulators.demo import load_demo_catalogue
from emulators.stack import LocalCloud, Storage
from emulators.web import WEB_DIR, WebApp, build

console = Console(width=120)
MEASURES = (
    ("largest contentful paint", "lcpMs", "ms"),
    ("first contentful paint", "fcpMs", "ms"),
    ("time to first byte", "ttfbMs", "ms"),
    ("scripts requested", "scripts", ""),
    ("JavaScript on the wire", "scriptTransferBytes", "KiB"),
    ("JavaScript decoded", "scriptDecodedBytes", "KiB"),
)


@dataclass(frozen=True)
class Vitals:
    """Per measure, the median of the cold loads with JavaScript and without."""

    loads: int
    with_javascript: dict[str, float]
    without_javascript: dict[str, float]


def measure(storage: Storage, loads: int) -> Vitals:
    """Build the app, start it beside a local cloud with the demo catalogue, and load its first page."""
    build()
    with LocalCloud(stack_options(storage, "web")) as cloud:
        assert cloud.runner is not None
        graphql_url = cloud.runner.url("graphql")
        load_demo_catalogue(graphql_url, sign_in(cloud, "admin"))
        app = WebApp.beside(cloud, graphql_url)
        app.start()
        try:
            return load_pages(app.url, loads, cloud.log_dir)
        finally:
            app.stop()


def load_pages(url: str, loads: int, log_dir: Path) -> Vitals:
    figures = Path(tempfile.mkdtemp(prefix="kiroku-vitals-")) / "vitals.json"
    subprocess.run(
        ["npx", "playwright", "test", "--config", "bench/playwright.config.ts"],
        cwd=WEB_DIR,
        env={
            **os.environ,
            "KIROKU_WEB_URL": url,
            "KIROKU_VITALS_FILE": str(figures),
            "KIROKU_VITALS_LOADS": str(loads),
            "KIROKU_WEB_RESULTS": str(log_dir / "playwright-bench"),
        },
        check=True,
    )
    measured = json.loads(figures.read_text())

    def medians(runs: list[dict[str, float]]) -> dict[str, float]:
        return {key: statistics.median(run[key] for run in runs) for _, key, _ in MEASURES}

    return Vitals(loads, medians(measured["withJavaScript"]), medians(measured["withoutJavaScript"]))


def print_report(vitals: Vitals) -> None:
    table = Table(title=f"make bench-web: the storefront's first page, median of {vitals.loads} cold loads")
    table.add_column("measure")
    table.add_column("with JavaScript", justify="right")
    table.add_column("without scripts (baseline)", justify="right")
    table.add_column("ratio to baseline", justify="right")
    for label, key, unit in MEASURES:
        shown, baseline = vitals.with_javascript[key], vitals.without_javascript[key]
        scale = 1024 if unit == "KiB" else 1

        def text(value: float, unit: str = unit, scale: float = scale) -> str:
            return f"{value / scale:,.1f} {unit}".strip()

        ratio = f"{shown / baseline:.2f}" if baseline else "—"
        table.add_row(label, text(shown), text(baseline), ratio)
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--loads", type=int, default=7)
    parser.add_argument("--storage", choices=("postgres", "firestore"), default="postgres")
    args = parser.parse_args(argv)
    print_report(measure(args.storage, args.loads))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
