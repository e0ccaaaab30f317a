"""An overlay result crosses the pipe in pieces (one per namespace summary, then the rest), so the
app's side never unpickles it in one go while holding the GIL; it arrives equal to what was sent."""

from __future__ import annotations

import multiprocessing as mp
import threading
from dataclasses import replace

from ktui.sources.manifests import load_paths
from ktui.store import Change
from ktui.tui.overlay import Replica, receive_in_pieces, send_in_pieces

from .conftest import CLUSTER


def test_a_result_sent_in_pieces_arrives_whole() -> None:
    base, _ = load_paths([str(CLUSTER)])
    replica = Replica(live=True)
    replica.apply([(Change(k, o.metadata.namespace, o.metadata.name, None, o), None)
                   for k in base.kinds() for o in base.objects(k)], [], frozenset())
    result = replica.compute()
    assert not result.error and len(result.exposure) > 1 and result.findings
    mine, theirs = mp.Pipe()
    sender = threading.Thread(target=send_in_pieces, args=(theirs, result))  # a pipe holds only so much
    sender.start()
    holds: list[float] = []
    got = receive_in_pieces(mine, holds)
    sender.join()
    assert got == result
    assert list(got.exposure) == list(result.exposure)  # the order too (screens list namespaces as sent)
    assert len(holds) == 1  # one figure per result: its longest piece
    # an empty result (nothing changed) is one piece
    sender = threading.Thread(target=send_in_pieces, args=(theirs, replace(result, exposure={}, findings={})))
    sender.start()
    assert receive_in_pieces(mine, holds) == replace(result, exposure={}, findings={})
    sender.join()
    mine.close()
    theirs.close()
