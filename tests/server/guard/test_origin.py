"""The upgrade's Origin rule: the server's own origin, the operator's list, or none."""

from server.guard.origin import origin_allowed


def test_own_origin_listed_ones_and_native_clients_pass():
    assert origin_allowed(None, "fair.example.org")  # native clients send no Origin
    assert origin_allowed("https://fair.example.org", "fair.example.org")
    assert origin_allowed("https://fair.example.org", "fair.example.org:443")  # default ports are the same origin
    assert origin_allowed("http://127.0.0.1:8765", "127.0.0.1:8765")
    assert origin_allowed("https://cdn.example.net/", "fair.example.org", ("https://cdn.example.net",))


def test_other_sites_and_odd_origins_are_refused():
    assert not origin_allowed("https://evil.example.com", "fair.example.org")
    assert not origin_allowed("http://127.0.0.1:9999", "127.0.0.1:8765")  # another port is another origin
    assert not origin_allowed("null", "fair.example.org")  # file:// pages, sandboxed frames
    assert not origin_allowed("javascript:alert(1)", "fair.example.org")
    assert not origin_allowed("https://fair.example.org.evil.com", "fair.example.org")
    assert not origin_allowed("https://fair.example.org", None)
