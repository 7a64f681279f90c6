"""The entry points of the source bundle: each name here is an `entry_point` in manifest.yaml.

Importing this module is a function's cold start: logging and tracing are configured once, here.
"""

from __future__ import annotations

from functions.observers.bus_audit import audit_message
from shared.bus.push import push_entry_point
from shared.config import settings
from shared.observability.logging import configure_logging
from shared.observability.tracing import configure_tracing

configure_logging(settings().project_id, settings().log_level)
configure_tracing()

bus_audit = push_entry_point(audit_message)
