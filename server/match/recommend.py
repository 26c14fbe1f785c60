"""为你推荐: projects for a visitor, offers for a need, needs for an offer — each with its reasons.

Pure functions over an index built once from the fair's data (rebuilt when an
exhibitor uploads new needs). A visitor is described by :class:`Signals`: what
their profile says (fields of interest, region, role) and what they did (booths
visited, seconds dwelt, favourites, booths contacted). Scores combine field
affinity, text similarity (TF-IDF over :mod:`server.match.text` terms), region
and a small popularity prior, computed for every project at once with numpy;
tools/bench_match.py measures them against popularity and random rankings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from server.match.data import FIELDS, KINDS, PROVINCES, Need, Offer
from server.match.text import TOKENIZERS, Vectoriser
from world.scene import Text

W_VISIT, W_FAVOURITE, W_CONTACT, W_PROFILE = 1.0, 3.0, 4.0, 1.5
DWELL_UNIT_S = 30.0


@dataclass(frozen=True)
class Weights:
    """How much each part of a project's score counts (tools/bench_match.py measures variants)."""

    field: float = 0.3
    text: float = 1.5
    region: float = 0.1
    popular: float = 0.05


@dataclass(frozen=True)
class Item:
    """A recommendable project: its booth, fields, region and the words that describe it."""

    id: str
    booth: str
    name: Text
    fields: tuple[str, ...]
    region: str
    text: str


@dataclass
class Signals:
    """What is known of one visitor. Booth-keyed: visits and dwell are at booths, favourites and contacts too."""

    fields: tuple[str, ...] = ()  # interests chosen in the profile
    region: str = ""
    visits: dict[str, int] = field(default_factory=dict)
    dwell: dict[str, float] = field(default_factory=dict)  # seconds
    favourites: set[str] = field(default_factory=set)
    contacts: set[str] = field(default_factory=set)

    def booth_weights(self) -> dict[str, float]:
        w: dict[str, float] = {}
        for b, n in self.visits.items():
            w[b] = w.get(b, 0.0) + W_VISIT * min(n, 5)
        for b, s in self.dwell.items():
            w[b] = w.get(b, 0.0) + math.log1p(max(s, 0.0) / DWELL_UNIT_S)
        for b in self.favourites:
            w[b] = w.get(b, 0.0) + W_FAVOURITE
        for b in self.contacts:
            w[b] = w.get(b, 0.0) + W_CONTACT
        return w


@dataclass(frozen=True)
class Reason:
    zh: str
    en: str


@dataclass(frozen=True)
class Scored:
    id: str
    score: float
    reasons: tuple[Reason, ...]

    def because(self, lang: str) -> str:
        """The reasons as one line: "同在云南 · 教育助学 · 金额匹配"."""
        return " · ".join(r.zh if lang == "zh" else r.en for r in self.reasons)


def _field_reason(f: str) -> Reason:
    return Reason(*FIELDS[f])


class ProjectIndex:
    """Every project as rows of numpy matrices: fields one-hot, TF-IDF terms, region, popularity."""

    def __init__(self, items: list[Item], tokenizer: str = "bigrams", weights: Weights = Weights()):
        self.items = items
        self.weights = weights
        self.pos = {it.id: i for i, it in enumerate(items)}
        self.by_booth: dict[str, list[int]] = {}
        for i, it in enumerate(items):
            self.by_booth.setdefault(it.booth, []).append(i)
        self.field_ids = {f: j for j, f in enumerate(FIELDS)}
        self.fields = np.zeros((len(items), len(FIELDS)), np.float32)
        for i, it in enumerate(items):
            for f in it.fields:
                self.fields[i, self.field_ids[f]] = 1.0 / len(it.fields)
        tokenize = TOKENIZERS[tokenizer]
        docs = [tokenize(it.text) for it in items]
        self.vectoriser = Vectoriser(docs)
        self.terms = self.vectoriser.matrix(docs)
        regions = {r: j for j, r in enumerate(PROVINCES)}
        self.region = np.array([regions.get(it.region, -1) for it in items], np.int16)
        self.region_ids = regions
        self.popularity = np.zeros(len(items), np.float32)

    def set_popularity(self, counts: dict[str, float]) -> None:
        """Visitors per booth (any measure of attention); every project of a booth shares it."""
        pop = np.zeros(len(self.items), np.float32)
        for b, n in counts.items():
            for i in self.by_booth.get(b, ()):
                pop[i] = n
        top = float(pop.max()) if len(pop) else 0.0
        self.popularity = np.log1p(pop) / math.log1p(top) if top > 0 else pop

    def recommend(self, s: Signals, k: int = 10, exclude_seen: bool = True) -> list[Scored]:
        """The ``k`` best projects for ``s``, best first, each with up to three reasons."""
        n = len(self.items)
        if n == 0:
            return []
        weights = s.booth_weights()
        pref_f = np.zeros(len(FIELDS), np.float32)
        for f in s.fields:
            if f in self.field_ids:
                pref_f[self.field_ids[f]] += W_PROFILE
        pref_t = np.zeros(self.terms.shape[1], np.float32)
        seen = []
        for b, w in weights.items():
            rows = self.by_booth.get(b)
            if not rows:
                continue
            seen += rows
            pref_f += w * self.fields[rows].sum(axis=0)
            pref_t += w * self.terms[rows].sum(axis=0)
        total_f = float(pref_f.sum())
        if total_f:
            pref_f /= total_f
        norm_t = float(np.linalg.norm(pref_t))
        if norm_t:
            pref_t /= norm_t
        field_score = self.fields @ pref_f
        text_score = self.terms @ pref_t
        region = self.region_ids.get(s.region, -2)
        same_region = self.region == region
        w = self.weights
        score = w.field * field_score + w.text * text_score + w.region * same_region + w.popular * self.popularity
        if exclude_seen and seen:
            score[seen] = -np.inf
        k = min(k, n)
        top = np.argpartition(-score, k - 1)[:k]
        top = top[np.argsort(-score[top], kind="stable")]
        out = []
        for i in top:
            if not np.isfinite(score[i]):
                break
            out.append(Scored(self.items[i].id, float(score[i]),
                              self._reasons(i, pref_f, text_score[i], bool(same_region[i]))))
        return out

    def popular(self, k: int, exclude: set[str] = frozenset()) -> list[str]:
        """The baseline: the most visited projects the visitor has not seen."""
        order = np.argsort(-self.popularity, kind="stable")
        return [self.items[i].id for i in order if self.items[i].booth not in exclude][:k]

    def _reasons(self, i: int, pref_f: np.ndarray, text: float, same_region: bool) -> tuple[Reason, ...]:
        it = self.items[i]
        out = []
        if same_region:
            out.append(Reason(f"同在{it.region}", f"also in {PROVINCES.get(it.region, it.region)}"))
        liked = [f for f in it.fields if pref_f[self.field_ids[f]] > 0.1]
        out += [_field_reason(f) for f in liked[:1]]
        if text > 0.2:
            out.append(Reason("与你看过的项目相似", "like projects you looked at"))
        if not out:
            out.append(Reason("展会热门", "popular at the fair") if self.popularity[i] > 0.5 else _field_reason(
                it.fields[0]))
        return tuple(out[:3])


# --- needs <-> offers -----------------------------------------------------------------------------------
def amount_fit(need: Need, offer: Offer) -> float:
    """1 when the asked amount is inside the offer's range; falling off with the log of how far outside."""
    if need.kind != "funds":
        return 1.0
    if offer.min_yuan <= need.amount_yuan <= offer.max_yuan:
        return 1.0
    edge = offer.min_yuan if need.amount_yuan < offer.min_yuan else offer.max_yuan
    return max(0.0, 1.0 - abs(math.log10(max(need.amount_yuan, 1) / max(edge, 1))))


def acceptable(need: Need, offer: Offer) -> bool:
    """An offer that can serve the need as stated: same kind, a shared field, covers the region, amount fits."""
    return (need.kind == offer.kind and bool(set(need.fields) & set(offer.fields)) and offer.covers(need.region)
            and amount_fit(need, offer) == 1.0)


def pair_score(need: Need, offer: Offer, funder_region: str = "") -> Scored | None:
    """How well ``offer`` fits ``need`` (None when the kind differs: money is no answer to a call for volunteers)."""
    if need.kind != offer.kind:
        return None
    shared = [f for f in need.fields if f in offer.fields]
    field_fit = len(shared) / len(need.fields)
    region_fit = 1.0 if need.region in offer.regions else (0.7 if not offer.regions else 0.0)
    fit = amount_fit(need, offer)
    score = 1.0 * field_fit + 0.8 * region_fit + 1.0 * fit + (0.1 if funder_region == need.region else 0.0)
    reasons = []
    province = PROVINCES.get(need.region, need.region)
    if funder_region == need.region:
        reasons.append(Reason(f"同在{need.region}", f"both in {province}"))
    elif need.region in offer.regions:
        reasons.append(Reason(f"资助范围含{need.region}", f"covers {province}"))
    elif not offer.regions:
        reasons.append(Reason("面向全国", "nationwide"))
    reasons += [_field_reason(f) for f in shared[:1]]
    if need.kind == "funds":
        reasons.append(Reason("金额匹配", "amount fits") if fit == 1.0 else Reason("金额接近", "amount close"))
    else:
        reasons.append(Reason(*KINDS[need.kind]))
    return Scored(offer.id, score, tuple(reasons[:3]))


def offers_for(need: Need, offers: list[Offer], k: int = 5, funder_regions: dict[str, str] | None = None
               ) -> list[Scored]:
    """The ``k`` best offers for ``need``, best first."""
    regions = funder_regions or {}
    scored = [s for o in offers if (s := pair_score(need, o, regions.get(o.funder, ""))) is not None]
    scored.sort(key=lambda s: -s.score)
    return scored[:k]


def needs_for(offer: Offer, needs: list[Need], k: int = 5, funder_region: str = "") -> list[Scored]:
    """The reverse: the ``k`` needs ``offer`` serves best, each scored by the same rule but named by need id."""
    out = []
    for n in needs:
        s = pair_score(n, offer, funder_region)
        if s is not None:
            out.append(Scored(n.id, s.score, s.reasons))
    out.sort(key=lambda s: -s.score)
    return out[:k]


def fair_items(contents: dict, data) -> list[Item]:
    """Every project of the fair's booths (world.content) with its needs' fields, region and words."""
    items = []
    for booth, content in sorted(contents.items()):
        if content.category not in FIELDS or content.category == "service":
            continue
        booth_needs = data.needs.get(booth)
        region = booth_needs.region if booth_needs else ""
        for p in content.projects:
            needs = [n for n in (booth_needs.needs if booth_needs else ()) if n.project == p.id]
            fields = tuple(dict.fromkeys([content.category, *(f for n in needs for f in n.fields)]))
            words = " ".join([p.name.zh, p.summary.zh, content.institution.zh, *(n.text.zh for n in needs)])
            items.append(Item(p.id, booth, p.name, fields, region, words))
    return items
