"""The overview's rows (Bridge.overview) are kept across a batch that leaves a namespace's
posture as it was (a readiness flip keeps the namespace's posture object), and built again when it
moves."""

from __future__ import annotations

import msgspec

from ktui.model.meta import Condition
from ktui.store import Event
from ktui.tui.bridge import Bridge

from .conftest import CLUSTER, StillSource


def _bridge() -> Bridge:
    bridge = Bridge(StillSource([str(CLUSTER)]))
    bridge.start()
    bridge.poll()
    return bridge


def test_a_readiness_flip_keeps_the_row_a_new_pod_builds_it_again() -> None:
    bridge = _bridge()
    row = bridge.overview("shop")
    posture = bridge.namespace("shop")
    assert row is not None and posture is not None
    pod = next(iter(bridge.state.pods("shop")))
    flipped = msgspec.structs.replace(pod, status=msgspec.structs.replace(
        pod.status, conditions=[Condition(type="Ready", status="False")]))
    bridge.source.queue.put(Event("MODIFIED", "Pod", flipped))
    assert bridge.poll() is not None
    assert bridge.namespace("shop") is posture
    assert bridge.posture._subjects[("shop", pod.metadata.name)][0] is flipped  # the pod's new version held
    assert bridge.overview("shop") is row
    twin = msgspec.structs.replace(pod, metadata=msgspec.structs.replace(pod.metadata, name="twin-0"))
    bridge.source.queue.put(Event("ADDED", "Pod", twin))
    assert bridge.poll() is not None
    again = bridge.overview("shop")
    assert again is not row and again is not None and again.pods == row.pods + 1


def test_an_update_landing_after_the_screens_went_is_dropped() -> None:
    from ktui.tui.bridge import Update

    from .conftest import make_app

    app = make_app()
    assert app.screen_stack == []  # as while the app closes
    app.dispatch(Update(changed={"shop"}))  # no ScreenStackError
