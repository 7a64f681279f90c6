"""The `kiroku` command against a running local cloud, on both storage backends: seeding an empty cloud,
following an order's saga and streams, the outbox, rebuilding read models (a shadow rebuild finds a
record damaged by hand, and the swap repairs it), the integrity check finding damage made by hand, and
the event log exported, imported into an empty store and exported again byte for byte.

The tests of this module run in order on one cloud: the first needs it empty.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from emulators.demo import CATEGORIES, PRODUCTS
from tests.e2e.conftest import until
from tests.kiroku_cli.conftest import Cloud

KIROKU = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "kiroku"


def test_seed_loads_the_demo_catalogue_into_an_empty_cloud_once(cloud: Cloud) -> None:
    assert cloud.storage.events.is_empty()
    assert cloud.admin.data("{ categories { id } }")["categories"] == []

    seeded = cloud.kiroku_json("seed")

    assert len(seeded["created"]) == len(CATEGORIES) + len(PRODUCTS) == 35
    assert (seeded["present"], seeded["failed"]) == ([], {})
    products = cloud.admin.data("{ products { id price category { id } } }")["products"]
    assert sorted(product["id"] for product in products) == sorted(product[0] for product in PRODUCTS)
    again = cloud.kiroku_json("seed")
    assert (len(again["created"]), len(again["present"])) == (0, 35)  # fixed ids: nothing twice


def _order(cloud: Cloud) -> str:
    placed = cloud.writer.data(
        'mutation { placeOrder(input: {lines: [{productId: "tea-sencha-classic", quantity: 2}], '
        'paymentToken: "tok_ok", shippingAddress: "1 Market Street"}) { order { id status } } }'
    )["placeOrder"]["order"]
    assert placed["status"] == "COMPLETED"
    return str(placed["id"])


def test_an_orders_saga_timeline_streams_and_events(cloud: Cloud) -> None:
    order_id = _order(cloud)

    # The order answers COMPLETED before its saga records the completion and ends.
    timeline = until(
        lambda: (t := cloud.kiroku_json("saga", order_id)["timeline"])[-1]["event"] == "SagaEnded" and t
    )
    assert timeline[0]["event"] == "SagaStarted"
    assert timeline[0]["caused_by"] == "OrderPlaced (Order v1)"
    assert timeline[-1]["event"] == "SagaEnded"
    issued = [entry for entry in timeline if entry["event"] == "CommandsIssued"]
    assert issued[0]["step"] == "RESERVING"
    assert issued[0]["deadline"] is not None
    assert issued[0]["sent"][0].startswith("ReserveStock saga:")
    learnt = " ".join(str(entry["learnt"]) for entry in timeline)
    assert "STOCK_RESERVED tea-sencha-classic" in learnt
    assert "PAYMENT_CAPTURED" in learnt
    cloud.kiroku("saga", "no-such-order", code=1)

    sagas = cloud.kiroku_json("sagas", "--status", "COMPLETED")
    assert order_id in [saga["order_id"] for saga in sagas["sagas"]]
    assert sagas["stats"]["by_status"]["COMPLETED"] >= 1
    assert sagas["stats"]["stuck"] == 0
    assert cloud.kiroku_json("sagas", "--stuck")["sagas"] == []
    cloud.kiroku("sagas", "--status", "LOST", code=2)

    events = cloud.kiroku_json("events", f"Order-{order_id}")
    assert [event["type"] for event in events] == [
        "OrderPlaced",
        "OrderReserved",
        "OrderShippingStarted",
        "OrderCompleted",
    ]
    assert {event["correlation_id"] for event in events} == {events[0]["causation_id"]}  # the PlaceOrder
    cloud.kiroku("events", "Order-no-such-order", code=1)
    streams = cloud.kiroku_json("streams", "--type", "Order")
    assert f"Order-{order_id}" in [stream["stream_id"] for stream in streams]
    assert {stream["aggregate_type"] for stream in streams} == {"Order"}
    assert {stream["version"] for stream in streams if stream["stream_id"] == f"Order-{order_id}"} == {4}


def test_the_outbox_is_drained_and_relayed(cloud: Cloud) -> None:
    status = cloud.kiroku_json("outbox")
    assert status["oldest_age"] is None or status["oldest_age"] < 120
    relayed = cloud.kiroku_json("outbox", "relay")
    assert relayed["pending"] <= relayed["published"] + status["pending"]
    assert until(lambda: cloud.kiroku_json("outbox")["pending"] == 0)


def _caught_up(cloud: Cloud) -> bool:
    return cloud.kiroku("projections", code=None).exit_code == 0


def test_a_rebuild_equals_the_live_models_and_a_shadow_rebuild_shows_a_record_damaged_by_hand(
    cloud: Cloud,
) -> None:
    until(lambda: _caught_up(cloud))
    for model in ("categories", "products", "orders"):
        shadow = cloud.kiroku_json("rebuild", model, "--shadow")
        assert shadow["diff"]["identical"], shadow["diff"]
        assert shadow["written_to"] == f"{model}_shadow"
    rebuilt = cloud.kiroku_json("rebuild", "categories")
    assert (rebuilt["written_to"], rebuilt["records"]) == ("categories", len(CATEGORIES))
    assert cloud.kiroku_json("rebuild", "categories", "--shadow")["diff"]["identical"]
    before = cloud.admin.data('{ product(id: "coffee-kenya-aa") { stock } }')["product"]["stock"]

    cloud.set_record_field("products", "coffee-kenya-aa", "stock", 999)

    damaged = cloud.kiroku_json("rebuild", "products", "--shadow", code=1)
    assert damaged["diff"]["added"] == damaged["diff"]["removed"] == []
    assert [(c["key"], c["fields"]) for c in damaged["diff"]["changed"]] == [("coffee-kenya-aa", ["stock"])]
    assert not damaged["swapped"]
    assert cloud.admin.data('{ product(id: "coffee-kenya-aa") { stock } }')["product"]["stock"] == 999
    text = cloud.kiroku("rebuild", "products", "--shadow", code=1).stdout
    assert "coffee-kenya-aa" in text
    assert "1 changed" in text

    swapped = cloud.kiroku_json("rebuild", "products", "--shadow", "--swap")

    assert swapped["swapped"]
    assert [c["key"] for c in swapped["diff"]["changed"]] == ["coffee-kenya-aa"]
    assert cloud.admin.data('{ product(id: "coffee-kenya-aa") { stock } }')["product"]["stock"] == before
    assert cloud.kiroku_json("rebuild", "products", "--shadow")["diff"]["identical"]
    cloud.kiroku("rebuild", "products", "--swap", code=2)
    cloud.kiroku("rebuild", "nope", code=2)


def test_the_integrity_check_finds_damage_made_by_hand(cloud: Cloud) -> None:
    category = f"int-{uuid.uuid4().hex[:8]}"
    cloud.admin.data(
        f'mutation {{ createCategory(input: {{id: "{category}", name: "Checked"}}) {{ status }} }}'
    )
    for name in ("Checked twice", "Checked thrice"):
        cloud.admin.data(
            f'mutation {{ updateCategory(input: {{id: "{category}", name: "{name}"}}) {{ status }} }}'
        )
    clean = cloud.kiroku_json("integrity")
    assert clean["ok"]
    assert clean["problems"] == []
    assert clean["events"] >= 3
    stream = f"Category-{category}"

    restore = cloud.delete_event(stream, 2)  # version 3 now follows version 1
    try:
        report = cloud.kiroku_json("integrity", code=1)
        assert not report["ok"]
        gaps = [p for p in report["problems"] if p["kind"] == "version_gap"]
        assert gaps == [{"kind": "version_gap", "stream_id": stream, "detail": "version 3 follows version 1"}]
        # Only the damaged stream is named; on PostgreSQL its global positions have a hole too.
        assert {p["stream_id"] for p in report["problems"]} == {stream}
        kinds = {p["kind"] for p in report["problems"]}
        assert kinds == ({"version_gap", "position_gap"} if cloud.backend == "postgres" else {"version_gap"})
        assert stream in cloud.kiroku("integrity", code=1).stdout
    finally:
        restore()
    assert cloud.kiroku_json("integrity")["ok"]


def _empty_store_options(cloud: Cloud) -> list[str]:
    """Target options naming an empty store beside the cloud's: a new database on its PostgreSQL server,
    or a new project on its Firestore emulator."""
    if cloud.backend == "firestore":
        return ["--project", f"import-{uuid.uuid4().hex[:8]}", "--storage", "firestore"]
    url = cloud.environment["DATABASE_URL"]
    database = f"import_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    other = make_conninfo(url, dbname=database)
    return ["--project", "kiroku-import", "--storage", "postgres", "--database-url", other, "--migrate"]


def test_an_export_imported_into_an_empty_store_exports_the_same_bytes(cloud: Cloud, tmp_path: Path) -> None:
    exported = tmp_path / "log.jsonl"
    first = cloud.kiroku_json("export", str(exported))
    assert first["events"] == len(exported.read_text().splitlines()) > 35
    refused = cloud.kiroku("import", str(exported), code=1)  # the cloud's own store is not empty
    assert "nothing imported" in refused.stderr
    target = _empty_store_options(cloud)

    imported = cloud.kiroku_json("import", str(exported), target=target)

    assert imported["imported"] == first["events"]
    again = tmp_path / "again.jsonl"
    cloud.kiroku_json("export", str(again), target=target)
    assert again.read_bytes() == exported.read_bytes()
    assert cloud.kiroku_json("integrity", target=target)["ok"]


def test_the_installed_command_finds_the_running_cloud(cloud: Cloud) -> None:
    """`.venv/bin/kiroku`, the script `uv sync` installs, run as a separate process from any directory."""
    environment = {key: value for key, value in os.environ.items() if not key.endswith("_EMULATOR_HOST")}
    environment.pop("DATABASE_URL", None)
    answer = subprocess.run(
        [str(KIROKU), "--state-dir", str(cloud.state_dir), "integrity", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd="/",
        check=False,
    )
    assert answer.returncode == 0, answer.stderr
    assert '"ok": true' in answer.stdout
    missing = subprocess.run(
        [str(KIROKU), "--state-dir", "/nonexistent", "integrity"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd="/",
        check=False,
    )
    assert missing.returncode == 2
    assert "make run" in missing.stderr
