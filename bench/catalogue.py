"""`make bench-catalogue`: the catalogue's pages at 1,000 and at 100,000 products, per backend.

A filtered page must read what it shows, not the catalogue: every filter runs in the store
(shared/application/product_search.py). So each backend's local cloud gets its products the way a
deployment does, through the projection: a ProductCreated event appended to each product's stream and
the products projector applied to it (as the project-products function would, from WRITERS threads);
then the GraphQL function, over HTTP, is asked for the first page (20 products by name) unfiltered, of
one category, of a price range and of a name search, `requests` times each, at 1,000 products and again
once the catalogue holds 100,000. Printed: each page's p50 and p99 at both sizes, its p50 over the
unfiltered page's at 100,000 (target ≤ 2) and over its own at 1,000 (target ≤ 1.5).

The catalogue: names of three words from short lists and a number, in twenty categories, prices
spread from 1.00 to 200.00 EUR, every tenth product out of stock. The filters each keep about a
twentieth of it: a category, the prices from 10.00 to 19.99, the names holding "sencha".
"""

from __future__ import annotations

import argparse
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import requests
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from bench.bus import Figures, timed
from bench.e2e import stack_options
from emulators.stack import LocalCloud, Storage
from shared.application.aggregates import PRODUCT
from shared.application.projections import PRODUCTS, Projector
from shared.eventstore.model import NO_STREAM
from shared.kernel.money import Money
from shared.messages.catalogue import ProductCreated
from shared.messages.envelope import Envelope
from shared.storage import Storage as Stores

SIZES = (1_000, 100_000)
WRITERS = 8
REQUESTS = 50
TARGET_OVER_UNFILTERED = 2.0
TARGET_OVER_SMALL = 1.5
CATEGORIES = 20
PAGE = """query($filter: ProductFilter) {
  productsConnection(first: 20, filter: $filter) { edges { node { id name price } } pageInfo { hasNextPage } }
}"""
# The targets are on the filtered pages, against the unfiltered one.
FILTERED = ("category", "price range", "name search")
PAGES: dict[str, dict[str, Any] | None] = {
    "unfiltered": None,
    "category": {"categoryId": "cat-07"},
    "price range": {"minPrice": "10.00", "maxPrice": "19.99"},
    "name search": {"nameContains": "sencha"},
}
_FIRST = ("green", "black", "white", "roasted", "smoked", "aged", "young", "spring", "autumn", "mountain")
_SECOND = (
    "sencha",
    "oolong",
    "assam",
    "darjeeling",
    "pu-erh",
    "matcha",
    "hojicha",
    "genmaicha",
    "chai",
    "earl",
)
_THIRD = ("leaf", "blend", "reserve", "select", "classic", "estate", "garden", "harvest", "pick", "grade")
console = Console(width=140)


@dataclass(frozen=True)
class CatalogueOptions:
    """How much to run. The defaults are `make bench-catalogue`; the smoke test uses small sizes."""

    storage: Storage = "postgres"
    sizes: tuple[int, int] = SIZES
    requests: int = REQUESTS


@dataclass(frozen=True)
class CatalogueReport:
    options: CatalogueOptions
    pages: dict[int, dict[str, Figures]]  # size -> page -> figures

    def over_unfiltered(self, page: str) -> float:
        large = self.pages[self.options.sizes[1]]
        return large[page].percentile(0.5) / large["unfiltered"].percentile(0.5)

    def over_small(self, page: str) -> float:
        small, large = (self.pages[size][page] for size in self.options.sizes)
        return large.percentile(0.5) / small.percentile(0.5)


def _product(index: int, rng: random.Random) -> tuple[str, ProductCreated]:
    name = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)} {rng.choice(_THIRD)} {index}"
    price = Money(amount=Decimal(rng.randrange(100, 20_000)) / 100, currency="EUR")
    created = ProductCreated(
        name=name,
        description="",
        price=price,
        category_id=f"cat-{index % CATEGORIES:02d}",
        stock=0 if index % 10 == 0 else 100,
    )
    return f"bench-{index:06d}", created


def load(stores: Stores, first: int, last: int) -> None:
    """Products `first` to `last - 1`, each a ProductCreated in its stream, projected as the function does."""
    projector = Projector(PRODUCTS, stores)
    rng = random.Random(first)
    products = [_product(index, rng) for index in range(first, last)]
    lock = threading.Lock()
    with Progress(console=console) as progress:
        task = progress.add_task(f"loading products {first:,} to {last:,}", total=len(products))

        def one(product: tuple[str, ProductCreated]) -> None:
            product_id, created = product
            envelope = Envelope.originate(
                kind="event",
                type="ProductCreated",
                aggregate_type=PRODUCT.aggregate_type,
                aggregate_id=product_id,
                payload=created.model_dump(mode="json"),
            )
            stream = PRODUCT.stream_id(product_id)
            stores.events.append(stream, [envelope], NO_STREAM, publish=False)
            projector.handle(stores.events.read_stream(stream)[0])
            with lock:
                progress.advance(task)

        with ThreadPoolExecutor(WRITERS) as pool:
            list(pool.map(one, products))


def _pages(url: str, count: int) -> dict[str, Figures]:
    measured = {}
    for page, product_filter in PAGES.items():

        def ask(_: int, product_filter: dict[str, Any] | None = product_filter) -> None:
            body = requests.post(
                url, json={"query": PAGE, "variables": {"filter": product_filter}}, timeout=60
            ).json()
            if body.get("errors") or not body["data"]["productsConnection"]["edges"]:
                raise RuntimeError(f"the page answered nothing: {body}")

        ask(0)  # warm: the first request of a shape pays for its plan
        measured[page] = timed(1, count, ask)
    return measured


def run(options: CatalogueOptions) -> CatalogueReport:
    stack = stack_options(options.storage, "catalogue", {"KIROKU_RATE_LIMIT": "1000000/minute"})
    sizes = " and ".join(f"{size:,}" for size in options.sizes)
    console.print(f"bench-catalogue: {sizes} products on {options.storage}")
    pages: dict[int, dict[str, Figures]] = {}
    with LocalCloud(stack) as cloud, cloud.open_storage() as stores:
        assert cloud.runner is not None
        url = cloud.runner.url("graphql")
        loaded = 0
        for size in options.sizes:
            load(stores, loaded, size)
            loaded = size
            pages[size] = _pages(url, options.requests)
    return CatalogueReport(options, pages)


def print_report(report: CatalogueReport) -> None:
    small, large = report.options.sizes
    table = Table(title=f"The first page of 20 products by name, {report.options.storage} (ms)")
    columns = (
        "page",
        f"p50 at {small:,}",
        f"p99 at {small:,}",
        f"p50 at {large:,}",
        f"p99 at {large:,}",
        f"÷ unfiltered at {large:,} (≤ {TARGET_OVER_UNFILTERED})",
        f"÷ itself at {small:,} (≤ {TARGET_OVER_SMALL})",
    )
    for column in columns:
        table.add_column(column, justify="right")
    for page in PAGES:
        before, after = report.pages[small][page], report.pages[large][page]
        table.add_row(
            page,
            f"{before.percentile(0.5):.1f}",
            f"{before.percentile(0.99):.1f}",
            f"{after.percentile(0.5):.1f}",
            f"{after.percentile(0.99):.1f}",
            f"{report.over_unfiltered(page):.2f}",
            f"{report.over_small(page):.2f}",
        )
    console.print(table)
    for page in FILTERED:
        after = report.pages[large][page]
        met = (
            report.over_unfiltered(page) <= TARGET_OVER_UNFILTERED
            and report.over_small(page) <= TARGET_OVER_SMALL
        )
        print(
            f"{report.options.storage} {page} at {large:,}: p50 {after.percentile(0.5):.1f} ms, "
            f"{report.over_unfiltered(page):.2f} x unfiltered, {report.over_small(page):.2f} x at {small:,}: "
            f"{'met' if met else 'not met'}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--storage", choices=("postgres", "firestore", "both"), default="both")
    parser.add_argument("--sizes", type=int, nargs=2, default=SIZES, help="the small and the large catalogue")
    args = parser.parse_args(argv)
    backends: list[Storage] = ["postgres", "firestore"] if args.storage == "both" else [args.storage]
    for storage in backends:
        print_report(run(CatalogueOptions(storage=storage, sizes=tuple(args.sizes))))


if __name__ == "__main__":
    main()
