"""The payment reconciliation function: an HTTP function that Cloud Scheduler (or the local runner's timer)
calls, and an operator can call on demand. It refunds charges held for orders that were not shipped
(shared/application/reconciliation.py) and answers what it found."""

from __future__ import annotations

from functools import cache

import flask

from functions.runtime import publisher, storage
from shared.adapters.gateways import payment_gateway
from shared.application.reconciliation import Reconciler


@cache
def reconciler() -> Reconciler:
    return Reconciler(storage(), publisher(), payment_gateway)


def payment_reconciliation(request: flask.Request) -> flask.Response:
    found = reconciler().settle()
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
