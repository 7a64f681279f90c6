"""The outbox relay function: an HTTP function that Cloud Scheduler (or the local runner's timer) calls."""

from __future__ import annotations

import flask

from functions.runtime import publisher, storage
from shared.application.relay import relay_outbox
from shared.bus.topics import EVENTS_TOPIC


def outbox_relay(request: flask.Request) -> flask.Response:
    published = relay_outbox(storage().events, publisher(), EVENTS_TOPIC)
    return flask.jsonify({"published": published})
