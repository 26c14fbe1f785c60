"""Measure 云对接: recommendation quality and speed, need -> offer matching, meeting scheduling.

    .venv/bin/python tools/bench_match.py [--visitors 2000] [--projects 2000] [--seed 1] [--json]

Everything is generated here from a seeded RNG and the model below, then run
through the server's own code (server/match), with the baselines in the same
run. The last line with ``--json`` is one JSON object (the interface other
checks read).

The population (stated model)
  * Projects: each has one of 10 fields, one of 6 topics within it (60 topics),
    a province, an attractiveness drawn lognormal(0, 1) and a text: its field's
    name (half the time), each of its topic's 3 signature words (50 % each), 4
    generic words and 2 words of random other topics (noise). Words are 2-4
    character pieces of the fair's own booth prose, so they read like it.
  * Visitors: a province, 2 hidden interest topics (the second in the same field
    half the time); the profile states the first interest's field 60 % of the
    time. Each makes 8-20 visits: 70 % interest-driven (a topic among their
    interests, a project in it by attractiveness, x1.5 if in their province),
    30 % browsing (any project by attractiveness). Interest-driven visits dwell
    exp(mean 120 s), favourite 25 %, contact 10 %; browsing dwells exp(mean 25 s),
    favourites 3 %, contacts 1 %.
  * Held out: 30 % of each visitor's visits are hidden from the recommender
    (and from the popularity counts). precision@5: share of the top 5
    (excluding what the visitor was seen visiting) whose topic is one of the
    visitor's hidden interests. recall@10: share of the held-out visits found
    in the top 10. Popularity: most-visited unseen projects; random: uniform.
Matching: 1,000 generated needs and 300 offers (kinds, fields, provinces,
  amounts as in scenes/match); an offer is acceptable for a need when the kind
  matches, a field is shared, the region is covered and the amount is in range
  (server.match.recommend.acceptable). Ours ranks by the structured fit; the
  keyword baseline by TF-IDF cosine of the two texts. Reported over needs with
  at least one acceptable offer; the seed data (scenes/match) is reported too.
Scheduling: 500 participants, 8 slots; 150 hosts (booth teams) and 350 guests;
  each guest is free in 4-8 slots, each host in 6-8; each guest has 5 mutual
  requests with hosts picked by a Zipf(1) popularity. Ours: server.match.schedule.plan;
  baseline: first come (requests in random arrival order), earliest common slot.
Speed: one visitor's recommendations with --projects projects indexed and
  10,000 visitors' signals stored; p50/p99 over 1,000 visitors, server code only, wall clock
  and the thread's CPU time (the difference is time the shared machine gave others).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

# As main.py does for the server: one BLAS thread. On 2 shared cores OpenBLAS's worker threads turned a 0.4 ms
# matrix-vector product into p50 18 ms / p99 222 ms (measured 2026-12-03, load average 7).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from server.match.data import FIELDS, KINDS, PROVINCES, Need, Offer, load_match  # noqa: E402
from server.match.recommend import (  # noqa: E402
    Item,
    ProjectIndex,
    Signals,
    Weights,
    acceptable,
    offers_for,
)
from server.match.schedule import double_bookings, greedy, plan  # noqa: E402
from server.match.text import TOKENIZERS, Vectoriser  # noqa: E402
from world.content import load_contents  # noqa: E402
from world.scene import Text  # noqa: E402

FIELD_IDS = [f for f in FIELDS if f != "service"]
TOPICS_PER_FIELD = 6
REGIONS = list(PROVINCES)[:31]


def word_pool() -> list[str]:
    """2-4 character pieces of the booth prose in scenes/content, deterministic order."""
    words = set()
    for c in load_contents().values():
        for text in (c.intro.zh, *(p.summary.zh for p in c.projects), *(p.name.zh for p in c.projects)):
            for run in re.findall(r"[\u4e00-\u9fff]+", text):
                for i in range(0, len(run) - 1, 3):
                    words.add(run[i:i + random.Random(run + str(i)).choice((2, 3, 4))])
    return sorted(w for w in words if len(w) >= 2)


class Fair:
    def __init__(self, n_projects: int, rng: random.Random):
        pool = word_pool()
        rng.shuffle(pool)
        n_topics = len(FIELD_IDS) * TOPICS_PER_FIELD
        self.topic_words = [pool[3 * t:3 * t + 3] for t in range(n_topics)]
        generic = pool[3 * n_topics:3 * n_topics + 120]
        self.items, self.topic, self.attract = [], [], []
        for i in range(n_projects):
            t = rng.randrange(n_topics)
            f = FIELD_IDS[t // TOPICS_PER_FIELD]
            words = [w for w in self.topic_words[t] if rng.random() < 0.5]
            words += rng.sample(generic, 4) + [rng.choice(self.topic_words[rng.randrange(n_topics)]) for _ in range(2)]
            if rng.random() < 0.5:
                words.append(FIELDS[f][0])
            rng.shuffle(words)
            self.items.append(Item(f"p{i}", f"b{i}", Text(f"项目{i}", f"Project {i}"), (f,), rng.choice(REGIONS),
                                   "，".join(words)))
            self.topic.append(t)
            self.attract.append(rng.lognormvariate(0, 1))
        self.by_topic: dict[int, list[int]] = {}
        for i, t in enumerate(self.topic):
            self.by_topic.setdefault(t, []).append(i)


def visitors(fair: Fair, n: int, rng: random.Random) -> list[dict]:
    n_topics = len(fair.topic_words)
    out = []
    for _ in range(n):
        t1 = rng.randrange(n_topics)
        t2 = (t1 // TOPICS_PER_FIELD * TOPICS_PER_FIELD + rng.randrange(TOPICS_PER_FIELD)
              if rng.random() < 0.5 else rng.randrange(n_topics))
        interests = {t1, t2}
        region = rng.choice(REGIONS)
        visits = []
        for _ in range(rng.randint(8, 20)):
            driven = rng.random() < 0.7
            if driven:
                cands = fair.by_topic[rng.choice(sorted(interests))]
                w = [fair.attract[i] * (1.5 if fair.items[i].region == region else 1.0) for i in cands]
                i = rng.choices(cands, weights=w)[0]
            else:
                i = rng.choices(range(len(fair.items)), weights=fair.attract)[0]
            visits.append((i, rng.expovariate(1 / (120 if driven else 25)), rng.random() < (0.25 if driven else 0.03),
                           rng.random() < (0.10 if driven else 0.01)))
        profile = (FIELD_IDS[t1 // TOPICS_PER_FIELD],) if rng.random() < 0.6 else ()
        rng.shuffle(visits)
        cut = max(1, round(len(visits) * 0.7))
        out.append({"interests": interests, "region": region, "profile": profile,
                    "seen": visits[:cut], "held": visits[cut:]})
    return out


def signals(fair: Fair, v: dict) -> Signals:
    s = Signals(fields=v["profile"], region=v["region"])
    for i, dwell, fav, contact in v["seen"]:
        b = fair.items[i].booth
        s.visits[b] = s.visits.get(b, 0) + 1
        s.dwell[b] = s.dwell.get(b, 0.0) + dwell
        if fav:
            s.favourites.add(b)
        if contact:
            s.contacts.add(b)
    return s


def quality(fair: Fair, people: list[dict], index: ProjectIndex, rng: random.Random) -> dict:
    counts: dict[str, int] = {}
    for v in people:
        for i, *_ in v["seen"]:
            counts[fair.items[i].booth] = counts.get(fair.items[i].booth, 0) + 1
    index.set_popularity(counts)
    res = {k: [] for k in ("p5", "r10", "p5_pop", "r10_pop", "p5_rand", "r10_rand")}
    pos = index.pos
    for v in people:
        seen = {fair.items[i].booth for i, *_ in v["seen"]}
        held = {f"p{i}" for i, *_ in v["held"]} - {f"p{i}" for i, *_ in v["seen"]}
        rels = {p for t in v["interests"] for p in (f"p{i}" for i in fair.by_topic[t])}
        ours = [r.id for r in index.recommend(signals(fair, v), k=10)]
        pop = index.popular(10, exclude=seen)
        unseen = [it.id for it in fair.items if it.booth not in seen]
        rand = rng.sample(unseen, 10)
        for name, ranked in (("", ours), ("_pop", pop), ("_rand", rand)):
            res["p5" + name].append(sum(1 for p in ranked[:5] if p in rels and p in pos) / 5)
            if held:
                res["r10" + name].append(len(set(ranked[:10]) & held) / len(held))
    return {k: round(statistics.fmean(v), 4) for k, v in res.items()}


# --- needs <-> offers --------------------------------------------------------------------------------------
def gen_needs_offers(rng: random.Random, n_needs: int = 1000, n_offers: int = 300) -> tuple[list[Need], list[Offer]]:
    kinds = list(KINDS)
    needs, offers = [], []
    for i in range(n_needs):
        kind = rng.choice(kinds)
        fields = tuple(rng.sample(FIELD_IDS, rng.choice((1, 1, 2))))
        region = rng.choice(REGIONS[:20])
        amount = rng.choice((5, 10, 20, 50, 100, 200, 500)) * 10_000 if kind == "funds" else 0
        text = f"{FIELDS[fields[0]][0]}项目需要{KINDS[kind][0]}，{region}{rng.choice(('山区', '县城', '乡村'))}"
        needs.append(Need(f"n{i}", f"b{i}", f"p{i}", kind, fields, region, Text(text, text), amount))
    for j in range(n_offers):
        kind = rng.choice(kinds)
        fields = tuple(rng.sample(FIELD_IDS, rng.choice((1, 2, 3))))
        regions = () if rng.random() < 0.4 else tuple(rng.sample(REGIONS[:20], rng.choice((1, 2, 3, 4))))
        lo, hi = sorted(rng.sample((1, 5, 10, 20, 50, 100, 300, 500, 1000), 2)) if kind == "funds" else (0, 0)
        where = "、".join(regions) if regions else "全国"
        text = f"{where}{'、'.join(FIELDS[f][0] for f in fields)}{KINDS[kind][0]}支持"
        offers.append(Offer(f"o{j}", f"f{j}", kind, fields, regions, Text(text, text), lo * 10_000, hi * 10_000))
    return needs, offers


def matching(needs: list[Need], offers: list[Offer], regions: dict[str, str] | None = None) -> dict:
    vec = Vectoriser([TOKENIZERS["bigrams"](o.text.zh) for o in offers] +
                     [TOKENIZERS["bigrams"](n.text.zh) for n in needs])
    offer_m = vec.matrix([TOKENIZERS["bigrams"](o.text.zh) for o in offers])
    ours = keyword = total = 0
    for n in needs:
        if not any(acceptable(n, o) for o in offers):
            continue
        total += 1
        top = {s.id for s in offers_for(n, offers, 5, regions)}
        ours += any(acceptable(n, o) for o in offers if o.id in top)
        sims = offer_m @ vec.vector(TOKENIZERS["bigrams"](n.text.zh))
        best = np.argsort(-sims, kind="stable")[:5]
        keyword += any(acceptable(n, offers[i]) for i in best)
    return {"needs": total, "ours": round(ours / max(total, 1), 4), "keyword": round(keyword / max(total, 1), 4)}


# --- scheduling --------------------------------------------------------------------------------------------
def scheduling(rng: random.Random, n: int = 500, slots: int = 8) -> dict:
    hosts = [f"h{i}" for i in range(150)]
    guests = [f"g{i}" for i in range(n - len(hosts))]
    free = {h: set(rng.sample(range(slots), rng.randint(6, slots))) for h in hosts}
    free |= {g: set(rng.sample(range(slots), rng.randint(4, slots))) for g in guests}
    zipf = [1 / (r + 1) for r in range(len(hosts))]
    requests = []
    for g in guests:
        chosen = set()
        while len(chosen) < 5:
            chosen.add(rng.choices(hosts, weights=zipf)[0])
        requests += [(g, h) for h in sorted(chosen)]
    arrival = requests[:]
    rng.shuffle(arrival)
    t = time.perf_counter()
    ours = plan(arrival, free)
    plan_s = time.perf_counter() - t
    base = greedy(arrival, free)
    return {"participants": n, "slots": slots, "requests": len(requests),
            "ours": round(2 * len(ours) / n, 3), "greedy": round(2 * len(base) / n, 3),
            "double_bookings": double_bookings(arrival, ours) + double_bookings(arrival, base),
            "plan_s": round(plan_s, 3)}


# --- speed ---------------------------------------------------------------------------------------------------
def speed(fair: Fair, rng: random.Random, stored: int = 10_000, samples: int = 1000) -> dict:
    t = time.perf_counter()
    index = ProjectIndex(fair.items)
    build_s = time.perf_counter() - t
    people = visitors(fair, stored, rng)
    store = {f"v{i}": signals(fair, v) for i, v in enumerate(people)}  # what the server keeps per visitor
    index.set_popularity({it.booth: fair.attract[i] for i, it in enumerate(fair.items)})
    keys = rng.sample(sorted(store), samples)
    gc.collect()  # the garbage of generating 10,000 visitors above is not the server's
    times, cpu = [], []
    for k in keys:
        t, c = time.perf_counter(), time.thread_time()
        index.recommend(store[k], k=10)
        cpu.append((time.thread_time() - c) * 1000)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    cpu.sort()
    p99 = min(len(times) - 1, math.ceil(len(times) * 0.99) - 1)
    return {"stored_visitors": stored, "p50_ms": round(times[len(times) // 2], 3), "p99_ms": round(times[p99], 3),
            "cpu_p50_ms": round(cpu[len(cpu) // 2], 3), "cpu_p99_ms": round(cpu[p99], 3),
            "index_build_s": round(build_s, 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--visitors", type=int, default=2000)
    ap.add_argument("--projects", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--stored", type=int, default=10_000, help="visitors' signals stored for the speed test")
    ap.add_argument("--json", action="store_true", help="end with one JSON object on the last line")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    fair = Fair(args.projects, rng)
    people = visitors(fair, args.visitors, rng)
    q = quality(fair, people, ProjectIndex(fair.items), random.Random(args.seed + 1))
    variants = {}
    tokenizers = ["bigrams"]
    try:
        import jieba  # noqa: F401

        tokenizers.append("jieba")
    except ImportError:
        print("jieba not installed: the tokenizer comparison is skipped (pip install jieba to run it)")
    for tok in tokenizers:
        for label, weights in (("", Weights()), ("_text_only", Weights(field=0, region=0, popular=0))):
            if tok == "bigrams" and not label:
                continue
            variants[f"precision_at_5_{tok}{label}"] = quality(fair, people, ProjectIndex(fair.items, tok, weights),
                                                               random.Random(args.seed + 1))["p5"]
    m = matching(*gen_needs_offers(random.Random(args.seed + 2)))
    seed = load_match()
    ms = matching(seed.all_needs(), seed.all_offers(), {f.id: f.region for f in seed.funders})
    sch = scheduling(random.Random(args.seed + 3))
    sp = speed(fair, random.Random(args.seed + 4), stored=args.stored, samples=min(1000, args.stored))
    result = {
        "visitors": args.visitors, "projects": args.projects, "seed": args.seed,
        "precision_at_5": q["p5"], "precision_at_5_popularity": q["p5_pop"], "precision_at_5_random": q["p5_rand"],
        "recall_at_10": q["r10"], "recall_at_10_popularity": q["r10_pop"], "recall_at_10_random": q["r10_rand"],
        **variants,
        "needs_evaluated": m["needs"], "needs_matched_top5": m["ours"], "needs_matched_top5_keyword": m["keyword"],
        "seed_needs_evaluated": ms["needs"], "seed_needs_matched_top5": ms["ours"],
        "seed_needs_matched_top5_keyword": ms["keyword"],
        "participants": sch["participants"], "slots": sch["slots"], "meeting_requests": sch["requests"],
        "meetings_per_participant": sch["ours"], "meetings_per_participant_greedy": sch["greedy"],
        "double_bookings": sch["double_bookings"], "plan_s": sch["plan_s"],
        "stored_visitors": sp["stored_visitors"], "recommend_ms_p50": sp["p50_ms"], "recommend_ms_p99": sp["p99_ms"],
        "recommend_cpu_ms_p50": sp["cpu_p50_ms"], "recommend_cpu_ms_p99": sp["cpu_p99_ms"],
        "index_build_s": sp["index_build_s"],
    }
    ratio = result["precision_at_5"] / max(result["precision_at_5_popularity"], 1e-9)
    print(f"precision@5 ours {q['p5']} popularity {q['p5_pop']} random {q['p5_rand']} (ours/popularity {ratio:.1f}x); "
          f"recall@10 ours {q['r10']} popularity {q['r10_pop']} random {q['r10_rand']}")
    print(f"needs with an acceptable offer in the top 5: ours {m['ours']} keyword {m['keyword']} "
          f"(of {m['needs']}); seed data ours {ms['ours']} keyword {ms['keyword']} (of {ms['needs']})")
    print(f"meetings per participant: ours {sch['ours']} greedy {sch['greedy']}, double bookings "
          f"{sch['double_bookings']}, {sch['requests']} requests")
    print(f"recommend: p50 {sp['p50_ms']} ms p99 {sp['p99_ms']} ms wall, thread CPU p50 {sp['cpu_p50_ms']} ms "
          f"p99 {sp['cpu_p99_ms']} ms ({args.projects} projects, "
          f"{sp['stored_visitors']} visitors stored); index build {sp['index_build_s']} s")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
