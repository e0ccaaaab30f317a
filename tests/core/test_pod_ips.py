"""Pod IPs are read as Python's ipaddress reads them (the fast IPv4 path included): the same
addresses kept, the same texts dropped."""

from __future__ import annotations

import ipaddress

import pytest

from ktui.analysis.core.subjects import pod_subject
from ktui.model.decode import decode_document

TEXTS = ["10.0.0.1", "0.0.0.0", "255.255.255.255", "01.2.3.4", "1.2.3", "1.2.3.4 ", "256.1.1.1", "1.2.3.04",
         "0x1.2.3.4", "1.2.3.4\n", "", "fd00::1", "::ffff:10.0.0.1", "2001:db8::", "1.2.3.4/32", "x", "１.2.3.4",
         "+1.2.3.4", "1.2.3.-4", "1.2.3.²", "1.2.3.0255", "1..2.3"]


def _expected(text: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(text)]
    except ValueError:
        return []


@pytest.mark.parametrize("text", TEXTS)
def test_pod_ips_read_as_ipaddress_does(text: str) -> None:
    doc = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "a"},
           "spec": {"containers": []}, "status": {"podIPs": [{"ip": text}]}}
    _, obj = decode_document(doc, "a")
    got = list(pod_subject(obj).ips)
    assert got == _expected(text) and [type(a) for a in got] == [type(a) for a in _expected(text)]
