"""Profiles, conversations, messages, read marks, favourites, blocks and moderation in SQLite (migration 4).

The social feature keeps what it decides on in memory (profiles, who is in
which conversation, blocks, favourites, sanctions), loaded here once at start,
and writes every change as statements carried out by a ``Persist`` before the
change is acknowledged. Messages and read marks stay on disk only: history
pages, unread counts and inboxes are read here, in a worker thread, with the
``(conv, id)`` index (see tools/bench_chat.py for how fast with a million
messages). ``main.py admin`` opens the same file: an organiser added there, a
mute, kick or ban written there, is read by the running server within seconds.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field

from server.store import changes
from server.store.open import Database


@dataclass
class Profile:
    id: int
    hash: str  # sha256 of the visitor's player secret: the only form in which the server keeps it
    name: str
    org: str = ""
    role: str = "person"
    province: str = ""
    interests: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Subject:
    """What a conversation is about, for features built on it (a need, a meeting); empty: nothing in particular."""

    kind: str = ""
    id: str = ""

    def wire(self) -> dict | None:
        return {"kind": self.kind, "id": self.id} if self.kind else None


@dataclass(frozen=True)
class Conv:
    """A stored conversation: ``direct`` between people ``a`` and ``b``; ``booth`` between person ``a`` and a booth."""

    id: int
    kind: str
    a: int
    b: int = 0
    booth: str = ""
    subject: Subject = Subject()

    @property
    def parties(self) -> tuple[str, str]:
        return (party(self.a), party(self.b)) if self.kind == "direct" else (party(self.a), booth_party(self.booth))

    @property
    def key(self) -> tuple:
        return conv_key(self.kind, self.a, self.b, self.booth, self.subject)


@dataclass(frozen=True)
class Sanction:
    id: int
    person: int
    kind: str  # mute, unmute, kick, ban, unban
    until: float | None
    reason: str
    actor: str
    at: float


def party(pid: int) -> str:
    return f"p:{pid}"


def booth_party(booth: str) -> str:
    return f"b:{booth}"


def conv_key(kind: str, a: int, b: int, booth: str, subject: Subject) -> tuple:
    if kind == "direct":
        a, b = min(a, b), max(a, b)
    return kind, a, b, booth, subject.kind, subject.id


def player_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass
class Loaded:
    profiles: dict[int, Profile]
    convs: dict[int, Conv]
    blocks: dict[int, set[int]]
    favourites: dict[int, list[str]]
    sanctions: list[Sanction]
    next_message: int
    mark: int = 0  # the change log's last seq before the tables were read (server/store/changes.py)


@dataclass
class Since:
    """What a member missed while the bus was cut off: the logged changes (seq, event), oldest first."""

    changes: list[tuple[int, dict]]
    next_message: int


TOPIC = "social"  # this feature's rows in the change log


class SocialStore:
    def __init__(self, store: Database):
        self.store = store

    # --- start -------------------------------------------------------------------------
    def load(self) -> Loaded:
        mark = changes.last(self.store, TOPIC)  # first: a change committed while the tables are read is read again
        rows = self.store.rows
        profiles = {r[0]: Profile(*r[:6], interests=json.loads(r[6])) for r in rows(
            "SELECT id, hash, name, org, role, province, interests FROM profiles")}
        convs = {r[0]: Conv(r[0], r[1], r[2], r[3], r[4], Subject(r[5], r[6])) for r in rows(
            "SELECT id, kind, a, b, booth, subject_kind, subject_id FROM conversations")}
        blocks: dict[int, set[int]] = {}
        for person, blocked in rows("SELECT person, blocked FROM blocks"):
            blocks.setdefault(person, set()).add(blocked)
        favourites: dict[int, list[str]] = {}
        for person, booth in rows("SELECT person, booth FROM favourites ORDER BY added, booth"):
            favourites.setdefault(person, []).append(booth)
        (top,), = rows("SELECT COALESCE(MAX(id), 0) FROM messages")
        return Loaded(profiles, convs, blocks, favourites, self.sanctions_after(0), top + 1, mark)

    def since(self, mark: int) -> Since:
        """The changes logged after ``mark`` (see :func:`server.store.changes.after`), and the next message id."""
        (top,), = self.store.rows("SELECT COALESCE(MAX(id), 0) FROM messages")
        return Since(changes.after(self.store, TOPIC, mark), top + 1)

    @staticmethod
    def change_row(event: dict) -> tuple[str, tuple]:
        """``event`` (as published on ``social:state``) in the change log, written with the change itself."""
        return changes.row(TOPIC, event)

    # --- statements (carried out by a Persist, in order) --------------------------------
    @staticmethod
    def profile_row(p: Profile, now: float) -> tuple[str, tuple]:
        return ("INSERT INTO profiles (id, hash, name, org, role, province, interests, updated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                "org = excluded.org, role = excluded.role, province = excluded.province, "
                "interests = excluded.interests, updated = excluded.updated",
                (p.id, p.hash, p.name, p.org, p.role, p.province, json.dumps(p.interests, ensure_ascii=False), now))

    @staticmethod
    def conv_row(c: Conv, now: float) -> tuple[str, tuple]:
        return ("INSERT INTO conversations (id, kind, a, b, booth, subject_kind, subject_id, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (c.id, c.kind, c.a, c.b, c.booth, c.subject.kind, c.subject.id, now))

    @staticmethod
    def message_row(mid: int, conv: int, sender: int, booth: str | None, cmid: str, text: str,
                    at: float, system: bool = False) -> tuple[str, tuple]:
        """``system``: a line the server wrote (a 云对接 booking or intent), never a person's words."""
        return ("INSERT INTO messages (id, conv, sender, booth, cmid, text, at, system_line) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (mid, conv, sender, booth, cmid, text, at, int(system)))

    @staticmethod
    def message_row_once(mid: int, conv: int, sender: int, booth: str | None, cmid: str, text: str,
                         at: float, system: bool = False) -> tuple[str, tuple]:
        """The message unless it is stored already (a resend whose first write may have failed)."""
        sql, params = SocialStore.message_row(mid, conv, sender, booth, cmid, text, at, system)
        return sql + " ON CONFLICT DO NOTHING", params

    @staticmethod
    def read_row(party_: str, conv: int, upto: int) -> tuple[str, tuple]:
        return ("INSERT INTO reads (party, conv, upto) VALUES (?, ?, ?) ON CONFLICT (party, conv) "
                "DO UPDATE SET upto = excluded.upto WHERE excluded.upto > reads.upto", (party_, conv, upto))

    @staticmethod
    def favourite_row(person: int, booth: str, on: bool, now: float) -> tuple[str, tuple]:
        if on:
            return ("INSERT INTO favourites (person, booth, added) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    (person, booth, now))
        return "DELETE FROM favourites WHERE person = ? AND booth = ?", (person, booth)

    @staticmethod
    def block_row(person: int, blocked: int, on: bool, now: float) -> tuple[str, tuple]:
        if on:
            return ("INSERT INTO blocks (person, blocked, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    (person, blocked, now))
        return "DELETE FROM blocks WHERE person = ? AND blocked = ?", (person, blocked)

    # --- reads for jobs (worker threads) ------------------------------------------------
    def page(self, conv: int, before: int | None, limit: int) -> tuple[list[tuple], bool]:
        """Up to ``limit`` messages of ``conv`` before id ``before`` (None: the latest), oldest first; more?
        Each (id, sender, booth, text, at, system)."""
        rows = self.store.rows(
            "SELECT id, sender, booth, text, at, system_line FROM messages WHERE conv = ? AND id < ? "
            "ORDER BY id DESC LIMIT ?",
            (conv, before if before is not None else 2**62, limit + 1))
        return rows[:limit][::-1], len(rows) > limit

    def unread(self, parties: list[tuple[str, int]]) -> dict[int, tuple[int, tuple | None]]:
        """For each (party, conv): conv -> (messages after the party's read mark, the latest message or None)."""
        out = {}
        for p, conv in parties:
            marks = self.store.rows("SELECT upto FROM reads WHERE party = ? AND conv = ?", (p, conv))
            last = marks[0][0] if marks else 0
            (count,), = self.store.rows("SELECT COUNT(*) FROM messages WHERE conv = ? AND id > ?", (conv, last))
            latest = self.store.rows("SELECT id, sender, booth, text, at, system_line FROM messages WHERE conv = ? "
                                     "ORDER BY id DESC LIMIT 1", (conv,))
            out[conv] = (count, latest[0] if latest else None)
        return out

    def confirm_message(self, sender: int, cmid: str) -> None:
        """Raise LookupError unless ``sender``'s message ``cmid`` is stored (a resend is acknowledged only then)."""
        if not self.store.rows("SELECT 1 FROM messages WHERE sender = ? AND cmid = ?", (sender, cmid)):
            raise LookupError(f"message {cmid!r} of {sender} is not stored")

    def recent_cmids(self, sender: int, n: int = 64) -> list[tuple[str, int, int, float]]:
        """The sender's last ``n`` (cmid, message id, conv, at): a resend after a crash is recognised."""
        return self.store.rows("SELECT cmid, id, conv, at FROM messages WHERE sender = ? ORDER BY id DESC LIMIT ?",
                               (sender, n))

    # --- moderation ---------------------------------------------------------------------
    def sanctions_after(self, last_id: int) -> list[Sanction]:
        return [Sanction(*r) for r in self.store.rows(
            "SELECT id, person, kind, until, reason, actor, at FROM sanctions WHERE id > ? ORDER BY id", (last_id,))]

    def add_sanction(self, person: int, kind: str, until: float | None, reason: str, actor: str, now: float) -> int:
        """Write one mute/unmute/kick/ban/unban (who did it is ``actor``), committed; its id."""
        return self._insert("INSERT INTO sanctions (person, kind, until, reason, actor, at) VALUES (?, ?, ?, ?, ?, ?)",
                            (person, kind, until, reason, actor, now))

    def add_report(self, reporter: int, target: int, message: int | None, context: list[str], note: str,
                   now: float) -> int:
        return self._insert("INSERT INTO reports (reporter, target, message, context, note, at) "
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            (reporter, target, message, json.dumps(context, ensure_ascii=False), note, now))

    def _insert(self, sql: str, params: tuple) -> int:
        """One committed INSERT; the id the database gave the row (RETURNING: SQLite 3.35+ and PostgreSQL)."""
        return self.store.rows(sql + " RETURNING id", params)[0][0]

    def reports(self, limit: int = 100) -> list[tuple]:
        """The latest reports: (id, reporter, target, target's name, message, context list, note, at)."""
        return [(*r[:5], json.loads(r[5]), *r[6:]) for r in self.store.rows(
            "SELECT r.id, r.reporter, r.target, COALESCE(p.name, ''), r.message, r.context, r.note, r.at "
            "FROM reports r LEFT JOIN profiles p ON p.id = r.target ORDER BY r.id DESC LIMIT ?", (limit,))]

    def person(self, key: str) -> tuple[int, str] | None:
        """A profile by id or by player hash (what an organiser has from a report or a log): (id, name)."""
        if key.isdigit():
            rows = self.store.rows("SELECT id, name FROM profiles WHERE id = ?", (int(key),))
        else:
            rows = self.store.rows("SELECT id, name FROM profiles WHERE hash = ?", (key.lower(),))
        return rows[0] if rows else None

    # --- organisers ---------------------------------------------------------------------
    def add_organiser(self, name: str, now: float) -> tuple[int, str]:
        """A new organiser; (id, token). The token is shown once and only its sha256 is kept."""
        token = secrets.token_hex(24)  # hex: never starts with '-', so `--token T` always parses
        oid = self._insert("INSERT INTO organisers (name, token_hash, created) VALUES (?, ?, ?)",
                           (name, player_hash(token), now))
        return oid, token

    def organiser(self, token: str) -> tuple[int, str] | None:
        rows = self.store.rows("SELECT id, name FROM organisers WHERE token_hash = ? AND revoked IS NULL",
                               (player_hash(token),))
        return rows[0] if rows else None
