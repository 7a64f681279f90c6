"""The payment reconciliation function: an HTTP function that Cloud Scheduler (or the local runner's timer)
calls, and an operator can call on demand. It refunds charges held for orders that were not shipped
(shared/application/reconciliation.py) and answers what it found.

While the payment gateway cannot be reached the run is skipped, answered 503 with a warning: an outage
is expected, and the next scheduled run asks again (nothing is lost, the charges stay held until then).
"""

from __future__ import annotations

import logging
from functools import cache

import flask

from functions.runtime import publisher, storage
from shared.adapters.gateways import GatewayUnavailable, payment_gateway
from shared.application.reconciliation import Reconciler

logger = logging.getLogger(__name__)


@cache
def reconciler() -> Reconciler:
    return Reconciler(storage(), publisher(), payment_gateway)


def payment_reconciliation(request: flask.Request) -> flask.Response:
    try:
        found = reconciler().settle()
    except GatewayUnavailable as error:
        logger.warning("payment reconciliation skipped until its next run: %s", error.reason)
        response = flask.jsonify({"skipped": error.reason})
        response.status_code = 503
        return response
    return flask.jsonify(
        {
            "refunding": [
                {
                    "order_id": charge.order_id,
                    "order_status": charge.order_status,
                    "charge_id": charge.charge_id,
                    "amount": str(charge.amount.amount),
                    "currency": charge.amount.currency,
                }
                for charge in found
            ]
        }
    )
