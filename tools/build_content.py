"""Generate the seed booth content: ``scenes/content/<booth>.json`` and its pictures.

Every booth in the hall files gets an invented exhibitor. A booth id names its
kind as ``<category>-<nn>`` (``education-03``, ``goods-07``, ``scenery-02``);
the institution, prose, projects, products and pictures follow from it through
a RNG seeded with the id, so the output is byte-for-byte deterministic and
``--check`` can tell stale content in CI. Lobby booths with other ids get the
hand-written fair-service content below.

    .venv/bin/python tools/build_content.py            # write scenes/content/
    .venv/bin/python tools/build_content.py --check    # exit 1 if stale
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "tools"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))
import content_data as data  # noqa: E402
import pictures  # noqa: E402

from tools.generated import check_generated  # noqa: E402
from world.scene import load_halls  # noqa: E402

CONTENT_DIR = ROOT / "scenes" / "content"
_KIND = re.compile(r"^([a-z]+)-(\d+)$")
SURNAMES = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
            ("赵", "Zhao"), ("黄", "Huang"), ("周", "Zhou"), ("吴", "Wu"), ("徐", "Xu"), ("孙", "Sun")]
CATEGORY_COLOURS = {
    "rural": "#d35400", "education": "#2e86c1", "elderly": "#c0392b", "relief": "#e67e22", "health": "#16a085",
    "children": "#f1c40f", "environment": "#27ae60", "culture": "#8e44ad", "goods": "#a0522d",
    "scenery": "#2980b9", "service": "#c0392b",
}
GOODS_PER_BOOTH = 7

SERVICE = {
    "info-desk": {
        "institution": ("第九届中国慈展会服务台", "9th China Charity Fair Information Desk"),
        "intro": (
            "第九届中国公益慈善项目交流展示会以“汇聚慈善力量 助力乡村振兴”为主题，首次全面升级为“云展会”，"
            "设有慈善与乡村振兴展示馆、公益赋能美丽乡村体验馆和慈善文化科普馆三个线上展馆，"
            "汇聚数百家机构的公益项目和乡村好物。走近展位即可查看详情，按 Tab 打开展馆导览，搜索机构或产品并一键传送。",
            "The 9th China Charity Fair, themed \"Gathering charity to revitalize the countryside\", is held fully "
            "online as a cloud expo with three halls: Charity & Rural Revitalization, Beautiful Villages Experience "
            "and Charity Culture Science. Walk up to a booth to see its projects and products; press Tab for the "
            "hall directory to search institutions or products and teleport there.",
        ),
        "projects": [
            ("云展示", "Cloud Exhibition", "三个线上展馆，3D 展位与虚拟漫游。", "Three online halls with 3D booths."),
            ("云对接", "Cloud Matchmaking", "智能匹配与在线洽谈，促进项目与资源对接。",
             "Smart matching and online talks link projects with resources."),
            ("云体验", "Cloud Experience", "“好物出山”、“百县百景”和“益起解密”互动游戏。",
             "Rural Treasures, Hundred Counties and the charity puzzle game."),
        ],
        "products": [49, 50],
        "colour": "#c0392b",
    },
    "joint-action": {
        "institution": ("慈善力量助力乡村振兴联合行动", "Joint Action: Charity for Rural Revitalization"),
        "intro": (
            "展会期间，主办方联合二十余家互联网公开募捐信息平台和电商直播平台，共同发起慈善力量助力乡村振兴联合行动，"
            "搭建智能匹配和云上磋商系统，为供需双方提供智能推荐和在线洽谈服务，促进乡村振兴领域资源与项目的精准匹配。",
            "During the fair the organisers and more than twenty online fundraising and live-commerce platforms "
            "launch a joint action for rural revitalization, with smart matching and online negotiation that "
            "connect rural projects with the resources they need.",
        ),
        "projects": [
            ("重大项目对接仪式", "Major Project Signing", "集中签约一批乡村振兴重点项目。",
             "A ceremony signing key rural revitalization projects."),
            ("战略合作备忘录", "Strategic Cooperation Memorandum", "平台与机构共同签署合作备忘录。",
             "Platforms and institutions sign a memorandum of cooperation."),
        ],
        "products": [],
        "colour": "#d35400",
    },
}


def booth_kind(booth_id: str) -> tuple[str, int] | None:
    """(category, number) of a ``<category>-<nn>`` booth id, or None for other booths."""
    m = _KIND.match(booth_id)
    if m is None or m.group(1) not in data.CATEGORIES:
        return None
    return m.group(1), int(m.group(2))


def institution(booth_id: str) -> tuple[str, str]:
    """The exhibitor's name (zh, en) for a booth id: the booth header shows it too."""
    if booth_id in SERVICE:
        return SERVICE[booth_id]["institution"]
    kind = booth_kind(booth_id)
    if kind is None:
        raise ValueError(f"booth id {booth_id!r}: expected '<category>-<nn>' or one of {', '.join(SERVICE)}")
    category, n = kind
    if category == "scenery":
        county_zh, county_en, view_zh, view_en = data.SCENERY[(n - 1) % len(data.SCENERY)][:4]
        return f"{county_zh}·{view_zh}", f"{county_en} · {view_en}"
    offset = list(data.CATEGORIES).index(category) * 5
    pre_zh, pre_en = data.PREFIXES[(n + offset) % len(data.PREFIXES)]
    types = data.ORG_TYPES[category]
    org_zh, org_en = types[n % len(types)]
    return pre_zh + org_zh, f"{pre_en} {org_en}"


def _text(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


def _product(booth_id: str, k: int, index: int, images: dict[str, bytes]) -> dict:
    """Product ``index`` of the pool (a pack variant past its end) as booth ``booth_id``'s k-th product."""
    zh, en, origin_zh, origin_en, price, kind, colour = data.PRODUCTS[index % len(data.PRODUCTS)]
    pack = (index // len(data.PRODUCTS)) % len(data.PACKS)
    if index >= len(data.PRODUCTS):
        zh, en = f"{zh}（{data.PACKS[pack][0]}）", f"{en} ({data.PACKS[pack][1]})"
        price = round(price * (1.6 if pack == 1 else 0.6 if pack == 2 else 1.3))
    image = f"images/product-{index % len(data.PRODUCTS):02d}.png"
    if image not in images:
        images[image] = pictures.product(f"product-{index % len(data.PRODUCTS)}", kind, colour)
    return {"id": f"{booth_id}-p{k + 1}", "name": _text(zh, en), "price_cny": price,
            "origin": _text(origin_zh, origin_en), "image": image}


def booth_content(booth_id: str, images: dict[str, bytes]) -> dict:
    """The content file of one booth; pictures it needs are added to ``images`` (path -> PNG)."""
    rng = random.Random(booth_id)
    name_zh, name_en = institution(booth_id)
    if booth_id in SERVICE:
        spec = SERVICE[booth_id]
        category, colour = "service", spec["colour"]
        intro = _text(*spec["intro"])
        projects = [{"id": f"{booth_id}-j{k + 1}", "name": _text(p[0], p[1]), "summary": _text(p[2], p[3])}
                    for k, p in enumerate(spec["projects"])]
        product_ids = spec["products"]
    else:
        category, n = booth_kind(booth_id)
        colour = CATEGORY_COLOURS[category]
        values = {"year": rng.randint(2006, 2020), "counties": rng.randint(3, 28),
                  "people": f"{rng.randint(8, 600) * 100:,}", "volunteers": rng.randint(40, 1200)}
        if category == "scenery":
            spot = data.SCENERY[(n - 1) % len(data.SCENERY)]
            intro = _text(spot[4] + f"这里是{spot[0]}的名片，也是乡村文旅振兴的新去处：民宿、农家乐和手作体验带动了"
                          f"{values['people']}户村民增收。",
                          spot[5] + f" It is {spot[1]}'s calling card and a new destination for rural tourism: "
                          f"homestays, farm stays and craft workshops have raised the income of {values['people']} "
                          "households.")
            pool = data.PROJECTS["rural"]
        else:
            key = "goods" if category == "goods" else category
            intro = _text(data.INTROS[key][0].format(name=name_zh, **values),
                          data.INTROS[key][1].format(name=name_en, **values))
            pool = data.PROJECTS[key]
        picks = rng.sample(range(len(pool)), min(len(pool), rng.randint(2, 3)))
        projects = [{"id": f"{booth_id}-j{k + 1}", "name": _text(pool[i][0], pool[i][1]),
                     "summary": _text(pool[i][2], pool[i][3])} for k, i in enumerate(picks)]
        if category == "goods":
            product_ids = [(n - 1) * GOODS_PER_BOOTH + k for k in range(GOODS_PER_BOOTH)]
        else:
            product_ids = rng.sample(range(len(data.PRODUCTS)), rng.randint(1, 3))
    products = [_product(booth_id, k, i, images) for k, i in enumerate(product_ids)]
    surname = SURNAMES[rng.randrange(len(SURNAMES))]
    poster = f"images/poster-{booth_id}.png"
    slogan = f"{data.CATEGORIES[category][0]} · {projects[0]['name']['zh']}" if projects else name_zh
    scenery = data.SCENERY[(booth_kind(booth_id)[1] - 1) % len(data.SCENERY)][6] if category == "scenery" else None
    images[poster] = pictures.poster(booth_id, colour, category, name_zh, name_en, slogan, scenery)
    return {
        "format": 1,
        "booth": booth_id,
        "category": category,
        "institution": _text(name_zh, name_en),
        "intro": intro,
        "projects": projects,
        "products": products,
        "poster": poster,
        "contact": _text(f"项目联络人：{surname[0]}老师（展台「预约洽谈」可约在线洽谈）",
                         f"Project contact: {surname[1]} (book an online meeting with 预约洽谈 at the kiosk)"),
    }


def build(out: Path) -> list[Path]:
    """Write every booth's content and pictures under ``out``; return the paths written."""
    files: dict[str, bytes] = {}
    images: dict[str, bytes] = {}
    for hall in load_halls().values():
        for booth in hall.booths:
            doc = booth_content(booth.id, images)
            files[f"{booth.id}.json"] = (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode()
    files.update(images)
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
    ap.add_argument("--out", type=Path, default=CONTENT_DIR, help="content directory (default scenes/content)")
    ap.add_argument("--check", action="store_true", help="only report whether the content is up to date")
    args = ap.parse_args(argv)
    if args.check:
        return check_generated(args.out, build, "tools/build_content.py", "*")
    paths = build(args.out)
    print(f"wrote {len(paths)} files under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
