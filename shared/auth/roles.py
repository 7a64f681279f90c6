"""The roles and their order, and which role each command needs.

The GraphQL door checks who may send a command; command functions check again from the envelope's
actor, because the bus is not trusted blindly: anything that can publish to the commands topic would
otherwise act with any authority.
"""

from __future__ import annotations

from shared.messages.envelope import Role

RANK: dict[Role, int] = {"reader": 0, "writer": 1, "admin": 2, "system": 3}

COMMAND_ROLES: dict[str, Role] = {
    "CreateCategory": "admin",
    "UpdateCategory": "admin",
    "DeleteCategory": "admin",
    "CreateProduct": "admin",
    "UpdateProduct": "admin",
    "ChangePrice": "admin",
    "RestockProduct": "admin",
    "AdjustStock": "admin",
    "DeleteProduct": "admin",
    "PlaceOrder": "writer",
    "CancelOrder": "writer",
    # The rest are the fulfilment saga's: no person sends them, whatever their role.
    "MarkOrderReserved": "system",
    "MarkOrderPaid": "system",
    "StartOrderShipping": "system",
    "CompleteOrder": "system",
    "ConfirmOrderCancellation": "system",
    "ReserveStock": "system",
    "ReleaseReservation": "system",
    "CommitReservation": "system",
    "ProcessPayment": "system",
    "RefundPayment": "system",
    "ShipOrder": "system",
}


def may(role: Role, needed: Role) -> bool:
    return RANK[role] >= RANK[needed]
