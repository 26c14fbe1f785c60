"""The social feature's memory kept the same on every member of a cluster.

Each member keeps profiles, conversations, favourites and blocks in memory
(:class:`~server.social.feature.SocialFeature`); the store (PostgreSQL in a
cluster) is the truth. Every change a member makes is committed first, then
published on ``social:state`` (in the ``then`` of its ``Persist``), and every
other member applies it to its own copy. Applying is idempotent (a profile is
overwritten with the same fields, a conversation added once, a favourite or a
block set on or off), and a member ignores its own events, which it applied
before it published them. Each event is also written to the store's change log
with its change (server/store/changes.py): after a bus outage a member
:func:`replay` applies the ones logged since the last it read. Sanctions
travel on ``social:mod`` and messages on ``social:p:<pid>`` /
``social:b:<booth>`` (see the feature's docstring).

Events come from other members, never from visitors, but are still checked
for shape: a malformed one is dropped with a warning.
"""

from __future__ import annotations

import logging
from typing import Protocol

from server.cluster.ids import Ids
from server.social.store import Conv, Profile, Since, Subject

log = logging.getLogger("pavilion.social")

STATE = "social:state"


class SocialFeature(Protocol):
    """What of :class:`server.social.feature.SocialFeature` a replicated change touches."""

    profiles: dict[int, Profile]
    by_hash: dict[str, int]
    convs: dict[int, Conv]
    conv_ids: dict[tuple, int]
    party_convs: dict[str, list[int]]
    favourites: dict[int, list[str]]
    blocks: dict[int, set[int]]
    pid_seq: Ids
    conv_seq: Ids
    online: dict[int, set[int]]
    members: dict  # connection -> Member (with its ``pid``)


def profile_event(p: Profile) -> dict:
    return {"kind": "profile", "id": p.id, "hash": p.hash, "name": p.name, "org": p.org, "role": p.role,
            "province": p.province, "interests": list(p.interests)}


def conv_event(c: Conv) -> dict:
    return {"kind": "conv", "id": c.id, "conv": c.kind, "a": c.a, "b": c.b, "booth": c.booth,
            "subject": [c.subject.kind, c.subject.id]}


def mark_event(kind: str, person: int, other: int | str, on: bool) -> dict:
    """``kind``: ``favourite`` (other: a booth) or ``block`` (other: a person)."""
    return {"kind": kind, "person": person, "other": other, "on": on}


def apply(f: SocialFeature, event: dict) -> None:
    """Apply another member's committed change to this member's copy (idempotent)."""
    try:
        kind = event["kind"]
        if kind == "profile":
            _profile(f, event)
        elif kind == "conv":
            _conv(f, event)
        elif kind == "favourite":
            mine = f.favourites.setdefault(int(event["person"]), [])
            booth = str(event["other"])
            if event["on"] and booth not in mine:
                mine.append(booth)
            elif not event["on"] and booth in mine:
                mine.remove(booth)
        elif kind == "block":
            blocked = f.blocks.setdefault(int(event["person"]), set())
            (blocked.add if event["on"] else blocked.discard)(int(event["other"]))
        else:
            log.warning("social state event of unknown kind %r dropped", kind)
    except (KeyError, TypeError, ValueError) as exc:
        log.warning("malformed social state event dropped: %r", exc)


def replay(f: SocialFeature, since: Since, message_seq: Ids, mark: int) -> int:
    """After the bus was cut off (events may be lost): apply the logged changes (every member's, this one's
    too, so the last change wins whoever made it) in their order; the new mark."""
    for seq, event in since.changes:
        apply(f, event)
        mark = max(mark, seq)
    message_seq.seen(since.next_message - 1)
    return mark


def _profile(f: SocialFeature, e: dict) -> None:
    pid = int(e["id"])
    f.pid_seq.seen(pid)
    mine = f.by_hash.get(str(e["hash"]))
    if mine is not None and mine != pid:
        # The same player's first visit on two members at once. Theirs is announced only once committed, so the
        # store's unique hash refuses ours: their connections here go on as that person.
        log.warning("profile %d replaces %d (a first visit on two members at once)", pid, mine)
        f.profiles.pop(mine, None)
        for cid in f.online.pop(mine, set()):
            f.members[cid].pid = pid
            f.online.setdefault(pid, set()).add(cid)
    p = f.profiles.get(pid)
    if p is None:
        p = f.profiles[pid] = Profile(pid, str(e["hash"]), str(e["name"]))
        f.by_hash[p.hash] = pid
    p.name, p.org, p.role, p.province = str(e["name"]), str(e["org"]), str(e["role"]), str(e["province"])
    p.interests = [str(i) for i in e["interests"]]


def _conv(f: SocialFeature, e: dict) -> None:
    cid = int(e["id"])
    f.conv_seq.seen(cid)
    if cid in f.convs:
        return
    subject_kind, subject_id = e["subject"]
    conv = Conv(cid, str(e["conv"]), int(e["a"]), int(e["b"]), str(e["booth"]), Subject(str(subject_kind),
                                                                                           str(subject_id)))
    mine = f.conv_ids.get(conv.key)
    if mine is not None:
        # Opened on two members at once. Theirs is announced only once committed, so the store's unique key
        # refuses ours: theirs is the conversation from now on.
        log.warning("conversation %d replaces %d (opened on two members at once)", cid, mine)
        lost = f.convs.pop(mine)
        for p in lost.parties:
            f.party_convs[p] = [c for c in f.party_convs.get(p, ()) if c != mine]
    f.convs[cid], f.conv_ids[conv.key] = conv, cid
    for p in conv.parties:
        f.party_convs.setdefault(p, []).append(cid)
