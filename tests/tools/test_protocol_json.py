"""The web client's protocol description is generated from protocol/catalog.py and must be current."""

from __future__ import annotations

import json

import pytest

from protocol import messages
from protocol.catalog import CLIENT_MESSAGES, SERVER_MESSAGES
from tools import protocol_json


def test_committed_file_matches_the_protocol():
    committed = protocol_json.OUT.read_text(encoding="utf-8")
    assert committed == protocol_json.render(), "run: python tools/protocol_json.py"


def test_every_message_and_field_is_described():
    doc = json.loads(protocol_json.render())
    assert set(doc["client"]) == set(CLIENT_MESSAGES)
    assert set(doc["server"]) == set(SERVER_MESSAGES)
    for side, schemas in (("client", CLIENT_MESSAGES), ("server", SERVER_MESSAGES)):
        for t, schema in schemas.items():
            assert set(doc[side][t]) == set(schema), t
            for name, field in schema.items():
                assert doc[side][t][name]["optional"] is field.optional, f"{t}.{name}"


def test_bounds_are_the_checks_own():
    move = json.loads(protocol_json.render())["client"]["move"]
    assert move["seq"] == {"kind": "int", "min": 0, "max": messages.MAX_SEQ, "optional": False}
    assert move["pos"]["len"] == 3 and move["pos"]["item"]["max"] == messages.MAX_COORD
    hello = json.loads(protocol_json.render())["client"]["hello"]
    assert hello["name"]["max"] == messages.MAX_NAME_CHARS and hello["name"]["printable"] is True


def test_an_unknown_check_is_refused_not_guessed():
    with pytest.raises(protocol_json.Undescribed):
        protocol_json.describe(lambda v, name: v)


def test_check_mode_reports_a_stale_file(tmp_path):
    stale = tmp_path / "protocol.json"
    stale.write_text("{}", encoding="utf-8")
    assert protocol_json.main(["--out", str(stale), "--check"]) == 1
    assert protocol_json.main(["--out", str(stale)]) == 0
    assert protocol_json.main(["--out", str(stale), "--check"]) == 0
