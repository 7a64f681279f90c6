"""The roles and their order; which role each command needs is the command registry's to say
(shared/application/registry.py).

The GraphQL door checks who may send a command; command functions check again from the envelope's
actor, because the bus is not trusted blindly: anything that can publish to the commands topic would
otherwise act with any authority.
"""

from __future__ import annotations

from shared.messages.envelope import Role

RANK: dict[Role, int] = {"reader": 0, "writer": 1, "admin": 2, "system": 3}


def may(role: Role, needed: Role) -> bool:
    return RANK[role] >= RANK[needed]
