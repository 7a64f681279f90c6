"""Adapters to the world outside Kiroku: payment and shipping gateways behind ports.

Import the ports, results, errors and factories from here; the HTTP adapters live in `gateways`. The
local stand-in they talk to in the local cloud and the tests belongs to the local cloud
(`emulators/fake_gateway.py`) and is not deployed.
"""

from shared.adapters.gateways import (
    Charge,
    ChargeRecord,
    GatewayCircuitOpen,
    GatewayDeclined,
    GatewayError,
    GatewayUnavailable,
    HttpPaymentGateway,
    HttpShippingGateway,
    PaymentGateway,
    Refund,
    Shipment,
    ShippingGateway,
    payment_gateway,
    shipping_gateway,
)

__all__ = [
    "Charge",
    "ChargeRecord",
    "GatewayCircuitOpen",
    "GatewayDeclined",
    "GatewayError",
    "GatewayUnavailable",
    "HttpPaymentGateway",
    "HttpShippingGateway",
    "PaymentGateway",
    "Refund",
    "Shipment",
    "ShippingGateway",
    "payment_gateway",
    "shipping_gateway",
]
