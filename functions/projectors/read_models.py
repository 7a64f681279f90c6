"""The projector functions: one per read model (categories, products, orders)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import cache

from functions.runtime import storage
from shared.application.projections import CATEGORIES, ORDERS, PRODUCTS, Projection, Projector
from shared.bus.push import Delivery, PushEntryPoint, push_entry_point
from shared.messages.envelope import Envelope
from shared.observability.log_metrics import EVENT_PROJECTED

logger = logging.getLogger(__name__)


def projector_function(projection: Projection) -> PushEntryPoint:
    @cache
    def projector() -> Projector:
        return Projector(projection, storage())

    def handle(envelope: Envelope, delivery: Delivery) -> None:
        if projector().handle(envelope):
            EVENT_PROJECTED.record(
                "%s: %s v%s shown",
                projection.model,
                envelope.type,
                envelope.aggregate_version,
                projection=projection.model,
                lag_seconds=(datetime.now(UTC) - envelope.occurred_at).total_seconds(),
            )
        else:
            logger.info(
                "%s: %s v%s changed nothing (duplicate or older)",
                projection.model,
                envelope.type,
                envelope.aggregate_version,
            )

    handle.__name__ = f"project_{projection.model}"
    return push_entry_point(handle)


project_categories = projector_function(CATEGORIES)
project_products = projector_function(PRODUCTS)
project_orders = projector_function(ORDERS)
