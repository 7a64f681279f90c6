"""The entry points of the source bundle: each name here is an `entry_point` in manifest.yaml.

Importing this module is a function's cold start: logging and tracing are configured once, here.
Storage and clients are opened on first use (functions/runtime.py), so importing stays cheap.
"""

from __future__ import annotations

from functions.commands.catalogue import (
    adjust_stock,
    change_price,
    create_category,
    create_product,
    delete_category,
    delete_product,
    restock_product,
    update_category,
    update_product,
)
from functions.graphql.app import graphql
from functions.operations.bus_audit import audit_message
from functions.operations.outbox_relay import outbox_relay
from functions.projectors.catalogue import project_categories, project_products
from shared.bus.push import push_entry_point
from shared.config import settings
from shared.observability.logging import configure_logging
from shared.observability.tracing import configure_tracing

configure_logging(settings().project_id, settings().log_level)
configure_tracing()

bus_audit = push_entry_point(audit_message)

__all__ = [
    "adjust_stock",
    "bus_audit",
    "change_price",
    "create_category",
    "create_product",
    "delete_category",
    "delete_product",
    "graphql",
    "outbox_relay",
    "project_categories",
    "project_products",
    "restock_product",
    "update_category",
    "update_product",
]
