"""Generate the 云对接 seed data: ``scenes/match/needs/<booth>.json`` and ``scenes/match/funders.json``.

Needs follow from each booth's content (scenes/content): its region is the
province of its first product's origin (or, with no products, one picked by a
RNG seeded with the booth id), and each project asks for one to three kinds of
help in proportions that fit the booth's category (a cooperative needs sales
channels, a school project funds, books and volunteers). Funders (foundations,
enterprises, platforms) are invented: place-like names that name no real
organisation. Everything comes from RNGs seeded with ids, so the output is
byte-for-byte deterministic and ``--check`` can tell stale data in CI.

    .venv/bin/python tools/build_match.py            # write scenes/match/
    .venv/bin/python tools/build_match.py --check    # exit 1 if stale
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from server.match.data import FIELDS, KINDS, MATCH_DIR, PROVINCES  # noqa: E402
from tools.generated import check_generated  # noqa: E402
from world.content import load_contents  # noqa: E402

# category -> weights of need kinds (funds, goods, volunteers, channels, skills)
KIND_WEIGHTS = {
    "rural": (3, 1, 1, 3, 3), "education": (4, 3, 3, 0, 2), "elderly": (3, 3, 4, 0, 2),
    "relief": (4, 4, 3, 0, 2), "health": (4, 3, 2, 0, 3), "children": (4, 3, 3, 0, 2),
    "environment": (3, 1, 4, 1, 2), "culture": (3, 1, 2, 2, 3), "goods": (1, 0, 1, 6, 3),
    "scenery": (2, 0, 2, 5, 2),
}
# category -> a neighbouring field a need may also name
NEIGHBOURS = {
    "rural": "goods", "education": "children", "elderly": "health", "relief": "health", "health": "elderly",
    "children": "education", "environment": "rural", "culture": "scenery", "goods": "rural", "scenery": "rural",
}
POOR_PROVINCES = ["云南", "贵州", "四川", "甘肃", "广西", "西藏", "青海", "宁夏", "新疆", "湖南", "江西", "陕西"]
# kind -> (zh template, en template); {project} {qty}
NEED_TEXT = {
    "funds": ("为「{project}」筹集项目资金，用于扩大覆盖和日常运营。",
              "Funding for '{project}', to reach more people and keep it running."),
    "goods": ("「{project}」需要物资捐赠：约{qty}件，可分批到位。",
              "'{project}' needs donated supplies: about {qty} items, in batches."),
    "volunteers": ("招募{qty}名志愿者参与「{project}」，线上线下均可。",
                   "{qty} volunteers wanted for '{project}', online or on site."),
    "channels": ("为「{project}」寻找销售渠道：电商、商超、企业采购。",
                 "Sales channels for '{project}': online shops, supermarkets, company purchasing."),
    "skills": ("「{project}」需要技术支持与培训：运营、财务、数字化。",
               "'{project}' needs skills and training: operations, finance, digital tools."),
}
# --- funders -------------------------------------------------------------------------------------------
NAME_PREFIXES = [
    ("润泽", "Runze"), ("德善", "Deshan"), ("瑞和", "Ruihe"), ("嘉禾", "Jiahe"), ("恒信", "Hengxin"),
    ("博远", "Boyuan"), ("安澜", "Anlan"), ("泓德", "Hongde"), ("睿思", "Ruisi"), ("弘毅", "Hongyi"),
    ("致远", "Zhiyuan"), ("立新", "Lixin"), ("天禾", "Tianhe"), ("云帆", "Yunfan"), ("景行", "Jingxing"),
    ("怀远", "Huaiyuan"), ("明德", "Mingde"), ("汇善", "Huishan"), ("正和", "Zhenghe"), ("启航", "Qihang"),
    ("华采", "Huacai"), ("乐施", "Leshi"), ("思源", "Siyuan"), ("众合", "Zhonghe"), ("百川", "Baichuan"),
    ("同舟", "Tongzhou"), ("拓荒", "Tuohuang"), ("星河", "Xinghe"), ("鸿雁", "Hongyan"), ("沐光", "Muguang"),
    ("融信", "Rongxin"), ("锦程", "Jincheng"), ("青禾", "Qinghe"), ("善泉", "Shanquan"), ("立德", "Lide"),
    ("惠民", "Huimin"), ("长青", "Changqing"), ("朗润", "Langrun"), ("载物", "Zaiwu"), ("厚朴", "Houpu"),
    ("耕读", "Gengdu"), ("行知", "Xingzhi"), ("兴邦", "Xingbang"), ("凌云", "Lingyun"), ("开元", "Kaiyuan"),
    ("溪桥", "Xiqiao"), ("归雁", "Guiyan"), ("协力", "Xieli"),
]
FUNDER_SUFFIX = {
    "foundation": [("公益基金会", "Foundation"), ("慈善基金会", "Charitable Foundation"),
                   ("教育基金会", "Education Foundation")],
    "enterprise": [("食品有限公司", "Foods Co., Ltd."), ("科技有限公司", "Technology Co., Ltd."),
                   ("物流有限公司", "Logistics Co., Ltd."), ("医药有限公司", "Pharmaceuticals Co., Ltd."),
                   ("零售集团", "Retail Group")],
    "platform": [("公益平台", "Charity Platform"), ("直播助农平台", "Live-commerce Farm Platform"),
                 ("志愿服务网", "Volunteer Network")],
}
# funder kind -> weights of offer kinds (funds, goods, volunteers, channels, skills)
OFFER_WEIGHTS = {"foundation": (6, 1, 1, 0, 2), "enterprise": (3, 3, 2, 2, 2), "platform": (0, 0, 3, 5, 3)}
RICH_PROVINCES = ["北京", "上海", "广东", "浙江", "江苏", "山东", "福建", "四川", "湖北"]
OFFER_TEXT = {
    "funds": ("资助{fields}方向的公益项目，单笔{lo}至{hi}万元。",
              "Grants for {fields_en} projects, {lo}0k to {hi}0k yuan each."),
    "goods": ("捐赠物资支持{fields}：图书、文具、药品、生活用品等。",
              "Donated supplies for {fields_en}: books, stationery, medicine, daily goods."),
    "volunteers": ("组织员工和社会志愿者参与{fields}服务。",
                   "Staff and public volunteers for {fields_en} work."),
    "channels": ("开放电商、直播和企业采购渠道，帮助{fields}产品销售。",
                 "Online shop, live-stream and company purchasing channels for {fields_en} products."),
    "skills": ("提供{fields}相关的培训、咨询和数字化技术支持。",
               "Training, advice and digital tools for {fields_en} work."),
}
N_FUNDERS = 48


def _text(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


def _pick(rng: random.Random, weights: tuple[int, ...], k: int) -> list[str]:
    kinds, chosen = list(KINDS), []
    w = list(weights)
    for _ in range(k):
        if not any(w):
            break
        i = rng.choices(range(len(kinds)), weights=w)[0]
        chosen.append(kinds[i])
        w[i] = 0
    return chosen


def region_of(content) -> str:
    for product in content.products:
        for province in sorted(PROVINCES, key=len, reverse=True):
            if product.origin.zh.startswith(province):
                return province
    return random.Random("region:" + content.booth).choice(POOR_PROVINCES)


def booth_needs(content) -> dict:
    rng = random.Random("needs:" + content.booth)
    needs = []
    for project in content.projects:
        for n, kind in enumerate(_pick(rng, KIND_WEIGHTS[content.category], rng.choice((1, 2, 2, 3))), start=1):
            fields = [content.category] + ([NEIGHBOURS[content.category]] if rng.random() < 0.4 else [])
            qty = rng.choice((20, 50, 100, 200, 500)) if kind in ("goods", "volunteers") else 0
            zh, en = NEED_TEXT[kind]
            need = {"id": f"{project.id}-n{n}", "project": project.id, "kind": kind, "fields": fields,
                    "text": _text(zh.format(project=project.name.zh, qty=qty), en.format(project=project.name.en,
                                                                                        qty=qty))}
            if kind == "funds":
                need["amount_yuan"] = rng.choice((5, 8, 10, 15, 20, 30, 50, 80, 100, 200, 300, 500)) * 10_000
            if qty:
                need["quantity"] = qty
            needs.append(need)
    return {"format": 1, "booth": content.booth, "region": region_of(content), "needs": needs}


def funder(i: int) -> dict:
    fid = f"funder-{i + 1:02d}"
    rng = random.Random("funder:" + fid)
    kind = ("foundation", "enterprise", "platform")[i % 3]
    prefix = NAME_PREFIXES[i]
    suffix = rng.choice(FUNDER_SUFFIX[kind])
    region = rng.choice(RICH_PROVINCES)
    fields_all = [f for f in FIELDS if f != "service"]
    offers = []
    for j, okind in enumerate(_pick(rng, OFFER_WEIGHTS[kind], rng.choice((1, 2, 2, 3))), start=1):
        fields = rng.sample(fields_all, rng.choice((1, 2, 2, 3)))
        regions = [] if rng.random() < 0.45 else sorted(rng.sample(POOR_PROVINCES, rng.choice((1, 2, 3, 4))))
        zh, en = OFFER_TEXT[okind]
        lo, hi = sorted(rng.sample((1, 3, 5, 10, 20, 50, 100, 300, 500), 2))
        offer = {"id": f"{fid}-o{j}", "kind": okind, "fields": fields, "regions": regions,
                 "text": _text(zh.format(fields="、".join(FIELDS[f][0] for f in fields), lo=lo, hi=hi),
                               en.format(fields_en=", ".join(FIELDS[f][1] for f in fields), lo=lo, hi=hi))}
        if okind == "funds":
            offer["min_yuan"], offer["max_yuan"] = lo * 10_000, hi * 10_000
        offers.append(offer)
    year = rng.randint(1995, 2020)
    where = "、".join(FIELDS[f][0] for f in offers[0]["fields"])
    return {
        "id": fid, "kind": kind, "region": region,
        "name": _text(prefix[0] + suffix[0], f"{prefix[1]} {suffix[1]}"),
        "intro": _text(f"{prefix[0]}{suffix[0]}，{year}年起长期支持{where}，总部位于{region}。",
                       f"{prefix[1]} {suffix[1]}, supporting {FIELDS[offers[0]['fields'][0]][1]} since {year}; "
                       f"based in {PROVINCES[region]}."),
        "offers": offers,
    }


def _dump(doc: dict) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode()


def build(out: Path) -> list[Path]:
    files = {Path("funders.json"): _dump({"format": 1, "funders": [funder(i) for i in range(N_FUNDERS)]})}
    for content in load_contents().values():
        if content.category in KIND_WEIGHTS and content.projects:
            files[Path("needs") / f"{content.booth}.json"] = _dump(booth_needs(content))
    written = []
    for rel, blob in sorted(files.items()):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_bytes() != blob:
            path.write_bytes(blob)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=MATCH_DIR, help="output directory (default scenes/match)")
    ap.add_argument("--check", action="store_true", help="only report whether the data is up to date")
    args = ap.parse_args(argv)
    if args.check:
        return check_generated(args.out, build, "tools/build_match.py", "*.json")
    paths = build(args.out)
    print(f"wrote {len(paths)} files under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
