"""The hall directory's search: booths and products by name, in Chinese or English.

Pure data in, ranked hits out, so the server answers ``search`` from it and
tests check it without a network. Matching is case-insensitive substring on
both languages (Chinese has no word breaks, so a substring is the natural
unit); whitespace in the query separates terms that must all match.

A search is a flood target (anyone may send a few a second), so its cost is
bounded by the directory's size, never by the query: an index from each
character to the entries containing it narrows the candidates to those that
hold every character of the query before any substring test, entries are
kept in result order so the scan stops at ``limit`` hits, at most MAX_TERMS
terms count, and recent answers are cached.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from world.content import BoothContent
from world.scene import Hall, Text

MAX_HITS = 20
MAX_TERMS = 6  # further words of a query are ignored
CACHE = 512  # recent queries remembered


@dataclass(frozen=True)
class Hit:
    kind: str  # "booth" or "product"
    booth: str
    hall: str
    name: Text  # what matched: the booth's or the product's name
    where: Text  # the booth's name (for a product) or the hall's (for a booth)

    def to_wire(self) -> dict:
        return {"kind": self.kind, "booth": self.booth, "hall": self.hall,
                "name": {"zh": self.name.zh, "en": self.name.en}, "where": {"zh": self.where.zh, "en": self.where.en}}


@dataclass(frozen=True)
class _Entry:
    hit: Hit
    keys: str  # lower-cased searchable text
    rank: int  # lower first: booth names before products


class Directory:
    """An index over every booth of every hall and the products their content lists."""

    def __init__(self, halls: dict[str, Hall], contents: dict[str, BoothContent]):
        self.entries: list[_Entry] = []
        for hall in halls.values():
            for booth in hall.booths:
                content = contents.get(booth.id)
                names = [booth.name] + ([content.institution] if content else [])
                keys = " ".join(f"{t.zh} {t.en}" for t in names)
                self.entries.append(_Entry(Hit("booth", booth.id, hall.id, booth.name, hall.name), keys.lower(), 0))
                for product in content.products if content else ():
                    keys = f"{product.name.zh} {product.name.en} {product.origin.zh} {product.origin.en}"
                    self.entries.append(_Entry(Hit("product", booth.id, hall.id, product.name, booth.name),
                                               keys.lower(), 1))
        self.entries.sort(key=lambda e: e.rank)  # stable: booths first, then products, each in hall order
        self._by_char: dict[str, set[int]] = {}
        for i, e in enumerate(self.entries):
            for c in set(e.keys):
                self._by_char.setdefault(c, set()).add(i)
        self._cache: OrderedDict[tuple[str, int], list[Hit]] = OrderedDict()

    def search(self, query: str, limit: int = MAX_HITS) -> list[Hit]:
        """Hits whose names contain every term of ``query``; booths first, then products, in hall order."""
        terms = tuple(dict.fromkeys(query.lower().split()))[:MAX_TERMS]
        if not terms:
            return []
        key = (" ".join(terms), limit)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        postings = sorted((self._by_char.get(c, set()) for c in set("".join(terms))), key=len)
        candidates = set.intersection(*postings) if postings[0] else set()
        found = []
        for i in sorted(candidates):
            if all(t in self.entries[i].keys for t in terms):
                found.append(self.entries[i].hit)
                if len(found) == limit:
                    break
        self._cache[key] = found
        if len(self._cache) > CACHE:
            self._cache.popitem(last=False)
        return found
