"""The hall directory's search: booths and products by name, in Chinese or English.

Pure data in, ranked hits out, so the server answers ``search`` from it and
tests check it without a network. Matching is case-insensitive substring on
both languages (Chinese has no word breaks, so a substring is the natural
unit); whitespace in the query separates terms that must all match.
"""

from __future__ import annotations

from dataclasses import dataclass

from world.content import BoothContent
from world.scene import Hall, Text

MAX_HITS = 20


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

    def search(self, query: str, limit: int = MAX_HITS) -> list[Hit]:
        """Hits whose names contain every term of ``query``; booths first, then products, in hall order."""
        terms = query.lower().split()
        if not terms:
            return []
        found = [e for e in self.entries if all(t in e.keys for t in terms)]
        found.sort(key=lambda e: e.rank)  # stable: keeps hall and booth order within a rank
        return [e.hit for e in found[:limit]]
