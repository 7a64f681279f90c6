"""The reconciliation function through its HTTP entry point: a payment gateway outage skips the run with
a warning and a 503 (the next scheduled run asks again), not an unhandled exception's traceback."""

from __future__ import annotations

import json
import logging

import flask
import pytest

from functions.operations import reconciliation
from shared.adapters.gateways import GatewayUnavailable

app = flask.Flask(__name__)


class _Unreachable:
    def settle(self) -> list[object]:
        raise GatewayUnavailable("the payment gateway failed list with HTTP 503")


def test_a_gateway_outage_skips_the_run_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(reconciliation, "reconciler", _Unreachable)

    with app.test_request_context("/", method="POST"), caplog.at_level(logging.INFO):
        response = reconciliation.payment_reconciliation(flask.request)

    assert response.status_code == 503
    assert json.loads(response.get_data()) == {"skipped": "the payment gateway failed list with HTTP 503"}
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
