"""`ktui can-reach --port NAME[/PROTO]`: a port name resolves to the number the destination
declares (as a NetworkPolicy named port does); a name it does not declare is an error (exit 2)."""

from __future__ import annotations

from tests.cli_entry.world import manifests, run

__all__ = ["manifests"]


def test_a_port_name_is_the_destination_s_declared_port(manifests, capsys) -> None:
    code, out, _ = run(capsys, "can-reach", "shop/web-1", "payments/api-1", "--port", "http", *manifests)
    assert code == 0
    assert out.splitlines()[0] == "yes: shop/web-1 -> payments/api-1 on 8080/TCP"
    _, by_number, _ = run(capsys, "can-reach", "shop/web-1", "payments/api-1", "--port", "8080/TCP", *manifests)
    assert by_number == out


def test_unknown_names_and_bad_specs_are_errors(manifests, capsys) -> None:
    for spec, message in (("http/UDP", "declares no UDP port named 'http'"), ("nope", "no TCP port named 'nope'"),
                          ("99999", "not in 1-65535"), ("80/XYZ", "not TCP, UDP or SCTP")):
        code, out, err = run(capsys, "can-reach", "shop/web-1", "payments/api-1", "--port", spec, *manifests)
        assert (code, out) == (2, ""), spec
        assert message in err and "Traceback" not in err


def test_a_bad_number_is_refused_before_anything_is_read(capsys) -> None:
    code, _, err = run(capsys, "can-reach", "a", "b", "--port", "0", "-f", "/nonexistent/x.yaml")
    assert code == 2 and "--port 0" in err
