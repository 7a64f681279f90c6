"""The demo catalogue `make run` loads, and the demo writer's first orders: through the GraphQL API and
the same commands as any client.

Ids are fixed, so loading twice changes nothing (the second round is rejected as already existing);
it is skipped altogether when the demo's first category is already there. The orders are placed once,
with the catalogue, and end in different states (the fake gateway's demo cards decide how), so the
storefront's "my orders" and the console have something to show.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import requests

T = TypeVar("T")

CATEGORIES = {
    "tea": ("Tea", "Leaves from Shizuoka, Uji and Darjeeling"),
    "coffee": ("Coffee", "Single-origin beans, roasted weekly"),
    "ceramics": ("Ceramics", "Cups, pots and bowls from Japanese kilns"),
    "books": ("Books", "On tea, coffee and the making of both"),
}

# category: [(product name, price in EUR, stock)]
_RANGE = {
    "tea": [
        ("Sencha Classic", "12.00", 40),
        ("Sencha Premium", "24.50", 12),
        ("Fukamushi Sencha", "18.00", 25),
        ("Matcha Ceremonial", "32.00", 8),
        ("Matcha Culinary", "14.00", 60),
        ("Matcha Organic", "28.00", 0),
        ("Hojicha Roasted", "11.50", 30),
        ("Hojicha Powder", "16.00", 14),
        ("Gyokuro Yame", "45.00", 5),
        ("Gyokuro Uji", "52.00", 3),
        ("Genmaicha", "9.50", 45),
        ("Kukicha", "10.50", 20),
    ],
    "coffee": [
        ("Ethiopia Yirgacheffe", "17.50", 22),
        ("Ethiopia Guji", "18.50", 16),
        ("Colombia Huila", "15.00", 35),
        ("Colombia Decaf", "15.50", 9),
        ("Kenya AA", "19.00", 11),
        ("Kenya Peaberry", "21.00", 0),
        ("Guatemala Antigua", "16.50", 18),
        ("Sumatra Mandheling", "17.00", 13),
    ],
    "ceramics": [
        ("Tokoname Kyusu", "68.00", 4),
        ("Banko Kyusu", "54.00", 6),
        ("Hagi Yunomi", "26.00", 10),
        ("Mashiko Yunomi", "22.00", 18),
        ("Arita Yunomi", "30.00", 7),
        ("Raku Chawan", "120.00", 2),
        ("Shino Chawan", "95.00", 3),
        ("Bizen Vase", "140.00", 1),
    ],
    "books": [("The Book of Tea", "9.90", 50), ("Coffee Atlas", "39.00", 12), ("Kiln Notes", "29.00", 5)],
}
PRODUCTS = [
    (f"{category}-{name.lower().replace(' ', '-')}", name, price, category, stock)
    for category, items in _RANGE.items()
    for name, price, stock in items
]

CREATE_CATEGORY = """mutation($input: CreateCategoryInput!) {
  createCategory(input: $input) { status error { code message } }
}"""
CREATE_PRODUCT = """mutation($input: CreateProductInput!) {
  createProduct(input: $input) { status error { code message } }
}"""


def _call(url: str, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = requests.post(
        url,
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


@dataclass(frozen=True)
class DemoRecord:
    """One record of the demo catalogue as the mutation that creates it."""

    name: str  # "category tea", "product tea-sencha-classic"
    query: str
    field: str
    variables: dict[str, Any]


def _demo_categories() -> list[DemoRecord]:
    return [
        DemoRecord(
            f"category {category_id}",
            CREATE_CATEGORY,
            "createCategory",
            {"input": {"id": category_id, "name": name, "description": description}},
        )
        for category_id, (name, description) in CATEGORIES.items()
    ]


def _demo_products() -> list[DemoRecord]:
    return [
        DemoRecord(
            f"product {product_id}",
            CREATE_PRODUCT,
            "createProduct",
            {
                "input": {
                    "id": product_id,
                    "name": name,
                    "price": {"amount": price, "currency": "EUR"},
                    "categoryId": category,
                    "initialStock": stock,
                }
            },
        )
        for product_id, name, price, category, stock in PRODUCTS
    ]


DEMO_RECORD_COUNT = len(CATEGORIES) + len(PRODUCTS)


def create_demo_records(
    create: Callable[[DemoRecord], T], workers: int = 4
) -> Iterator[tuple[DemoRecord, T]]:
    """Each demo record with what `create` answered for it: the categories one by one first (products
    name them), then the products `workers` at a time."""
    for record in _demo_categories():
        yield record, create(record)
    products = _demo_products()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield from zip(products, pool.map(create, products), strict=True)


def load_demo_catalogue(graphql_url: str, admin_token: str) -> int:
    """Create the demo catalogue unless it is there; returns how many records were created."""
    first = next(iter(CATEGORIES))
    query = {"query": "query($id: ID!) { category(id: $id) { id } }", "variables": {"id": first}}
    existing = requests.post(graphql_url, json=query, timeout=30).json()
    if (existing.get("data") or {}).get("category"):
        return 0
    created = create_demo_records(
        lambda record: _call(graphql_url, admin_token, record.query, record.variables)
    )
    return sum(1 for _ in created)


PLACE_ORDER = """mutation($input: PlaceOrderInput!, $commandId: ID!) {
  placeOrder(input: $input, commandId: $commandId, wait: false) { status error { code message } }
}"""
CANCEL_ORDER = """mutation($id: ID!, $commandId: ID!) {
  cancelOrder(id: $id, reason: "Changed my mind", commandId: $commandId) { status error { code message } }
}"""
ORDER_SHOWN = "query($id: ID!) { order(id: $id) { id } }"


@dataclass(frozen=True)
class DemoOrder:
    """One of the demo writer's orders: its lines (product id, quantity), the demo card that decides its
    course (emulators/fake_gateway.py), and whether the writer cancels it at once."""

    order_id: str
    lines: tuple[tuple[str, int], ...]
    card: str
    cancelled: bool = False


DEMO_ORDERS = (
    DemoOrder("demo-completed", (("tea-sencha-classic", 2), ("ceramics-arita-yunomi", 1)), "tok_ok"),
    DemoOrder("demo-declined", (("coffee-ethiopia-yirgacheffe", 1),), "tok_decline"),
    # Charged 2 s late, so the cancel meets it paying: refunded, stock released.
    DemoOrder("demo-cancelled", (("tea-matcha-ceremonial", 1),), "tok_slow", cancelled=True),
    # The bank never answers: the order waits on the payment gateway until the step's deadline.
    DemoOrder("demo-waiting", (("books-kiln-notes", 1),), "tok_timeout"),
)


def place_demo_orders(graphql_url: str, writer_token: str, wait_seconds: float = 30) -> list[str]:
    """Place the demo writer's orders (fixed command ids: placing them again changes nothing) and cancel
    the one to be cancelled once the API shows it; returns the ids of the orders placed."""
    placed = []
    for order in DEMO_ORDERS:
        lines = [{"productId": product_id, "quantity": quantity} for product_id, quantity in order.lines]
        variables = {
            "input": {
                "id": order.order_id,
                "lines": lines,
                "paymentToken": order.card,
                "shippingAddress": "1-2-3 Demo Street, Shizuoka",
            },
            "commandId": order.order_id,
        }
        answer = _call(graphql_url, writer_token, PLACE_ORDER, variables)["data"]["placeOrder"]
        if answer["status"] == "PENDING":
            placed.append(order.order_id)
    deadline = time.monotonic() + wait_seconds
    for order in DEMO_ORDERS:
        if not order.cancelled or order.order_id not in placed:
            continue
        while not _call(graphql_url, writer_token, ORDER_SHOWN, {"id": order.order_id})["data"]["order"]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"demo order {order.order_id} not shown within {wait_seconds} s")
            time.sleep(0.2)
        _call(
            graphql_url,
            writer_token,
            CANCEL_ORDER,
            {"id": order.order_id, "commandId": f"{order.order_id}-cancel"},
        )
    return placed


# Demo sign-ins on the local Auth emulator (never in the cloud): role -> (email, password).
ADMIN_EMAIL = "admin@kiroku.local"
DEMO_USERS = {"admin": (ADMIN_EMAIL, "kiroku-admin"), "writer": ("writer@kiroku.local", "kiroku-writer")}
SAMPLE_QUERY = "{ categories { id name } products { id name price category { id name } } }"
SAMPLE_ORDER = (
    f'mutation {{ placeOrder(input: {{lines: [{{productId: "{PRODUCTS[0][0]}", quantity: 1}}], '
    'paymentToken: "tok_ok", shippingAddress: "1 Demo Street"}) '
    "{ status error { code message } order { id status total } } }"
)
