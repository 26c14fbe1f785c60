"""docs/protocol.md and protocol/messages.py describe the same messages and errors."""

import re
from pathlib import Path

from protocol.catalog import CLIENT_MESSAGES, SERVER_MESSAGES
from protocol.errors import ErrorCode, error_text

DOC = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text(encoding="utf-8")


def documented_fields(section: str) -> dict[str, set[str]]:
    """Every table under a heading starting ``## <section>`` (a feature may have its own: "## Client → server: X")."""
    bodies = [part.split("\n## ", 1)[0] for part in DOC.split(f"## {section}")[1:]]
    fields: dict[str, set[str]] = {}
    current = None
    for row in re.findall(r"^\|(.+)\|$", "\n".join(bodies), re.M):
        cells = [c.strip() for c in row.split("|")]
        if cells[0].startswith("`"):
            current = cells[0].strip("`")
            fields[current] = set()
        if current and cells[1].startswith("`"):
            fields[current].add(cells[1].strip("`"))
    return fields


def test_client_messages_match():
    assert documented_fields("Client → server") == {t: set(s) for t, s in CLIENT_MESSAGES.items()}


def test_server_messages_match():
    assert documented_fields("Server → client") == {t: set(s) for t, s in SERVER_MESSAGES.items()}


def test_every_error_code_is_documented_with_its_texts():
    for code in ErrorCode:
        row = next((line for line in DOC.splitlines() if line.startswith(f"| `{code.value}` |")), None)
        assert row, f"{code.value} is not documented"
        assert error_text(code, "zh") in row and error_text(code, "en") in row
