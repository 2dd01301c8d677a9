"""The authorization matrix's vocabulary: what a cell of tests/forum/authz_table.py means.

- `ok`: let through: any answer below 400 that is not a redirect to the log-in page (a
  websocket: the handshake is accepted);
- `401`, `403`, `404`, `409`: exactly that status (a websocket: the handshake refused
  with it). 404 is how a private circle and what is in it hide from outsiders; 409 is a
  member's own state standing in the way (rules not yet accepted, an owner leaving);
- `login`: a page that sends a signed-out visitor to `/login` (303).

Anything else (a 5xx above all) matches no cell, so it fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OUTCOMES = frozenset({"ok", "401", "403", "404", "409", "login"})
ROW = re.compile(r"^(?P<method>[A-Z]+)\s+(?P<path>/\S*)\s+(?P<cells>.+)$")


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    expect: dict[str, str]

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def parse(table: str) -> tuple[list[str], list[Row]]:
    """The header's persona names and the rows; fails on a malformed line or cell."""
    lines = [line for line in table.strip().splitlines() if line.strip()]
    header = lines[0].split()
    assert header[:2] == ["method", "path"], f"the first line names the columns: {lines[0]!r}"
    personas = header[2:]
    rows: list[Row] = []
    for line in lines[1:]:
        match = ROW.match(line.strip())
        assert match, f"not a row: {line!r}"
        cells = match["cells"].split()
        assert len(cells) == len(personas), f"{len(cells)} cells for {len(personas)}: {line!r}"
        unknown = set(cells) - OUTCOMES
        assert not unknown, f"unknown outcomes {sorted(unknown)} in {line!r}"
        rows.append(Row(match["method"], match["path"], dict(zip(personas, cells, strict=True))))
    keys = [row.key for row in rows]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert not duplicates, f"routes listed twice: {duplicates}"
    return personas, rows


def observed(status: int, location: str = "") -> str:
    """The cell that describes an answer (a status outside the vocabulary stays a number)."""
    if status in (302, 303) and location.startswith("/login"):
        return "login"
    if status < 400:
        return "ok"
    return str(status)
