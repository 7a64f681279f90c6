"""The function the bus benchmark delivers to: it only notes when each message arrived."""

from __future__ import annotations

import os
import time
from pathlib import Path

from shared.bus.push import Delivery, push_entry_point
from shared.messages.envelope import Envelope

_records = Path(os.environ.get("KIROKU_BENCH_RECORDS", "/dev/null"))


def _note_arrival(envelope: Envelope, delivery: Delivery) -> None:
    with _records.open("a") as records:
        records.write(f"{envelope.payload['sent']} {time.time()}\n")


sink = push_entry_point(_note_arrival)
