"""How the runner's router keys a function's inbox: each aggregate always on the same one of a bounded
set of keys (its messages keep their order; the emulator's per-key threads stay bounded), except in a
gateway's inbox, where each aggregate keeps its own key (a message waiting on a partner holds no one
else's); and how it counts the messages of a key that wait in an inbox, which the key's later messages
must follow there."""

from __future__ import annotations

from emulators.runner import INBOX_ORDERING_KEYS, Diversions, InboxRoute


def test_an_inbox_maps_any_number_of_aggregates_onto_a_bounded_set_of_keys() -> None:
    route = InboxRoute("projects/p/topics/inbox-place-order", shares_keys=True)
    aggregates = [f"o-{n}" for n in range(5_000)]

    keys = {aggregate: route.ordering_key(aggregate) for aggregate in aggregates}

    assert len(set(keys.values())) == INBOX_ORDERING_KEYS
    assert all(route.ordering_key(aggregate) == key for aggregate, key in keys.items())  # stable
    assert route.ordering_key("") == ""  # an unordered message stays unordered


def test_a_gateways_inbox_keeps_each_aggregates_own_key() -> None:
    route = InboxRoute("projects/p/topics/inbox-process-payment", shares_keys=False)

    assert route.ordering_key("o-1") == "o-1"
    assert route.ordering_key("o-2") == "o-2"


def test_a_key_waits_while_any_of_its_messages_is_in_the_inbox() -> None:
    diversions = Diversions()
    diversions.add("saga", "o-1")
    diversions.add("saga", "o-1")

    assert diversions.waiting("saga", "o-1")
    assert not diversions.waiting("saga", "o-2")
    assert not diversions.waiting("projector", "o-1")  # each function's inbox is its own
    diversions.delivered("saga", "o-1")
    assert diversions.waiting("saga", "o-1")
    diversions.delivered("saga", "o-1")
    assert not diversions.waiting("saga", "o-1")


def test_a_message_the_runner_did_not_count_leaves_the_count_alone() -> None:
    diversions = Diversions()
    diversions.delivered("saga", "o-1")  # left in the inbox by an earlier run
    diversions.add("saga", "o-1")

    assert diversions.waiting("saga", "o-1")
