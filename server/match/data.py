"""云对接 data: what each booth's projects need and what funders offer (``scenes/match/``).

Like halls and booth content these files are edited by people (and uploaded by
exhibitors), so every check raises a :class:`~world.scene.SceneError` naming
the file, the field and what was expected. Two kinds of file:

* ``scenes/match/needs/<booth>.json``: a booth's region and its projects' needs;
* ``scenes/match/funders.json``: foundations, enterprises and platforms with
  their offers.

Money is always an integer number of 元 (yuan), never a float and never 分:
amounts at a charity fair are pledges of whole yuan, and integers cannot drift
when they are summed on the scoreboard. Bounds: 0 to 10,000,000,000 元.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from world.scene import FieldReader, SceneError, Text, read_json_file

MATCH_FORMAT = 1
MATCH_DIR = Path(__file__).resolve().parent.parent.parent / "scenes" / "match"
MAX_MATCH_BYTES = 512 * 1024
MAX_YUAN = 10_000_000_000  # 100 亿元: more than any single pledge, far below 2**53
MAX_QUANTITY = 10_000_000
MAX_NEEDS, MAX_OFFERS, MAX_FUNDERS, MAX_FIELDS, MAX_REGIONS = 24, 8, 500, 6, 34
TEXT_CHARS, NAME_CHARS = 200, 60

# need / offer kinds: id -> (zh, en)
KINDS: dict[str, tuple[str, str]] = {
    "funds": ("资金", "funding"),
    "goods": ("物资", "supplies"),
    "volunteers": ("志愿者", "volunteers"),
    "channels": ("销售渠道", "sales channels"),
    "skills": ("技术/培训", "skills & training"),
}
# fields are the fair's booth categories: id -> (zh, en)
FIELDS: dict[str, tuple[str, str]] = {
    "rural": ("乡村振兴", "rural revitalization"),
    "education": ("教育助学", "education"),
    "elderly": ("养老助老", "elderly care"),
    "relief": ("应急救灾", "emergency relief"),
    "health": ("医疗健康", "health"),
    "children": ("儿童关爱", "children"),
    "environment": ("生态环保", "environment"),
    "culture": ("文化传承", "culture"),
    "goods": ("好物出山", "rural treasures"),
    "scenery": ("百县百景", "county tourism"),
    "service": ("展会服务", "fair services"),
}
FUNDER_KINDS: dict[str, tuple[str, str]] = {
    "foundation": ("基金会", "foundation"),
    "enterprise": ("企业", "enterprise"),
    "platform": ("平台", "platform"),
}
PROVINCES: dict[str, str] = {
    "北京": "Beijing", "天津": "Tianjin", "河北": "Hebei", "山西": "Shanxi", "内蒙古": "Inner Mongolia",
    "辽宁": "Liaoning", "吉林": "Jilin", "黑龙江": "Heilongjiang", "上海": "Shanghai", "江苏": "Jiangsu",
    "浙江": "Zhejiang", "安徽": "Anhui", "福建": "Fujian", "江西": "Jiangxi", "山东": "Shandong", "河南": "Henan",
    "湖北": "Hubei", "湖南": "Hunan", "广东": "Guangdong", "广西": "Guangxi", "海南": "Hainan", "重庆": "Chongqing",
    "四川": "Sichuan", "贵州": "Guizhou", "云南": "Yunnan", "西藏": "Tibet", "陕西": "Shaanxi", "甘肃": "Gansu",
    "青海": "Qinghai", "宁夏": "Ningxia", "新疆": "Xinjiang", "香港": "Hong Kong", "澳门": "Macao", "台湾": "Taiwan",
}


@dataclass(frozen=True)
class Need:
    id: str
    booth: str
    project: str
    kind: str
    fields: tuple[str, ...]
    region: str
    text: Text
    amount_yuan: int = 0  # funds: what is asked for; other kinds: 0
    quantity: int = 0  # goods / volunteers: how many (0: not stated)


@dataclass(frozen=True)
class BoothNeeds:
    booth: str
    region: str
    needs: tuple[Need, ...]
    source: str


@dataclass(frozen=True)
class Offer:
    id: str
    funder: str
    kind: str
    fields: tuple[str, ...]
    regions: tuple[str, ...]  # empty: nationwide
    text: Text
    min_yuan: int = 0
    max_yuan: int = 0  # funds only; 0 for other kinds

    def covers(self, region: str) -> bool:
        return not self.regions or region in self.regions


@dataclass(frozen=True)
class Funder:
    id: str
    name: Text
    kind: str
    region: str
    intro: Text
    offers: tuple[Offer, ...]


def yuan(r: FieldReader, value, field: str, lo: int = 0) -> int:
    """An amount of money: an integer number of 元 in [lo, MAX_YUAN] (floats and booleans refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= MAX_YUAN:
        raise r.fail(field, f"an integer number of 元 (yuan) in [{lo}, {MAX_YUAN}]", value)
    return value


def _choice(r: FieldReader, value, field: str, table: dict) -> str:
    if not isinstance(value, str) or value not in table:
        raise r.fail(field, "one of " + ", ".join(table), value)
    return value


def _choices(r: FieldReader, value, field: str, table: dict, max_len: int, min_len: int) -> tuple[str, ...]:
    items = r.items(value, field, max_len, min_len)
    out = tuple(_choice(r, v, f"{field}[{i}]", table) for i, v in enumerate(items))
    if len(set(out)) != len(out):
        raise r.fail(field, "no repeated entries", value)
    return out


def parse_needs(data: object, source: Path | str, projects: set[str] | None = None) -> BoothNeeds:
    """Validate a booth's needs file; ``projects`` (when given) are the booth's project ids a need may name."""
    r = FieldReader(source)
    if not isinstance(data, dict):
        raise r.fail("(root)", "a JSON object", type(data).__name__)
    if r.get(data, "format", "") != MATCH_FORMAT:
        raise r.fail("format", str(MATCH_FORMAT), data.get("format"))
    booth = r.ident(r.get(data, "booth", ""), "booth")
    region = _choice(r, r.get(data, "region", ""), "region", PROVINCES)
    needs, seen = [], set()
    for i, n in enumerate(r.items(r.get(data, "needs", ""), "needs", MAX_NEEDS)):
        f = f"needs[{i}]"
        nid = r.ident(r.get(n, "id", f), f + ".id")
        if nid in seen:
            raise r.fail(f + ".id", "an id not used by another need", nid)
        seen.add(nid)
        project = r.ident(r.get(n, "project", f), f + ".project")
        if projects is not None and project not in projects:
            raise r.fail(f + ".project", "the id of one of this booth's projects", project)
        kind = _choice(r, r.get(n, "kind", f), f + ".kind", KINDS)
        amount = r.get(n, "amount_yuan", f, optional=True)
        if kind == "funds":
            amount = yuan(r, amount, f + ".amount_yuan", lo=1)
        elif amount is not None:
            raise r.fail(f + ".amount_yuan", "no amount: only a 'funds' need asks for money", amount)
        quantity = r.get(n, "quantity", f, optional=True)
        if quantity is not None and (isinstance(quantity, bool) or not isinstance(quantity, int)
                                     or not 1 <= quantity <= MAX_QUANTITY):
            raise r.fail(f + ".quantity", f"an integer in [1, {MAX_QUANTITY}]", quantity)
        needs.append(Need(
            id=nid, booth=booth, project=project, kind=kind,
            fields=_choices(r, r.get(n, "fields", f), f + ".fields", FIELDS, MAX_FIELDS, 1),
            region=region,
            text=r.text(r.get(n, "text", f), f + ".text", TEXT_CHARS),
            amount_yuan=amount or 0, quantity=quantity or 0,
        ))
    return BoothNeeds(booth, region, tuple(needs), str(source))


def booth_needs_doc(section: object, booth: str) -> object:
    """A content file's ``match`` section as a needs document: the same keys, format and booth filled in."""
    return {**section, "format": MATCH_FORMAT, "booth": booth} if isinstance(section, dict) else section


def parse_funders(data: object, source: Path | str) -> tuple[Funder, ...]:
    """Validate the funders file: ids unique across funders and offers, amounts in whole 元, min ≤ max."""
    r = FieldReader(source)
    if not isinstance(data, dict):
        raise r.fail("(root)", "a JSON object", type(data).__name__)
    if r.get(data, "format", "") != MATCH_FORMAT:
        raise r.fail("format", str(MATCH_FORMAT), data.get("format"))
    funders, seen = [], set()
    for i, d in enumerate(r.items(r.get(data, "funders", ""), "funders", MAX_FUNDERS)):
        f = f"funders[{i}]"
        fid = r.ident(r.get(d, "id", f), f + ".id")
        if fid in seen:
            raise r.fail(f + ".id", "an id not used by another funder or offer", fid)
        seen.add(fid)
        offers = []
        for j, o in enumerate(r.items(r.get(d, "offers", f), f + ".offers", MAX_OFFERS, 1)):
            g = f"{f}.offers[{j}]"
            oid = r.ident(r.get(o, "id", g), g + ".id")
            if oid in seen:
                raise r.fail(g + ".id", "an id not used by another funder or offer", oid)
            seen.add(oid)
            kind = _choice(r, r.get(o, "kind", g), g + ".kind", KINDS)
            lo = r.get(o, "min_yuan", g, optional=True)
            hi = r.get(o, "max_yuan", g, optional=True)
            if kind == "funds":
                lo, hi = yuan(r, lo, g + ".min_yuan"), yuan(r, hi, g + ".max_yuan", lo=1)
                if lo > hi:
                    raise r.fail(g + ".max_yuan", f"at least min_yuan ({lo})", hi)
            elif lo is not None or hi is not None:
                raise r.fail(g + ".min_yuan", "no amounts: only a 'funds' offer gives money", lo or hi)
            offers.append(Offer(
                id=oid, funder=fid, kind=kind,
                fields=_choices(r, r.get(o, "fields", g), g + ".fields", FIELDS, MAX_FIELDS, 1),
                regions=_choices(r, r.get(o, "regions", g), g + ".regions", PROVINCES, MAX_REGIONS, 0),
                text=r.text(r.get(o, "text", g), g + ".text", TEXT_CHARS),
                min_yuan=lo or 0, max_yuan=hi or 0,
            ))
        funders.append(Funder(
            id=fid, name=r.text(r.get(d, "name", f), f + ".name", NAME_CHARS),
            kind=_choice(r, r.get(d, "kind", f), f + ".kind", FUNDER_KINDS),
            region=_choice(r, r.get(d, "region", f), f + ".region", PROVINCES),
            intro=r.text(r.get(d, "intro", f), f + ".intro", TEXT_CHARS),
            offers=tuple(offers),
        ))
    return tuple(funders)


@dataclass(frozen=True)
class MatchData:
    needs: dict[str, BoothNeeds]  # by booth
    funders: tuple[Funder, ...]

    def all_needs(self) -> list[Need]:
        return [n for b in self.needs.values() for n in b.needs]

    def all_offers(self) -> list[Offer]:
        return [o for f in self.funders for o in f.offers]


def load_match(directory: Path | str = MATCH_DIR, projects: dict[str, set[str]] | None = None) -> MatchData:
    """Every needs file and the funders file; ``projects`` maps booth -> its project ids (checked when given)."""
    directory = Path(directory)
    needs = {}
    for path in sorted((directory / "needs").glob("*.json")):
        booth_projects = None if projects is None else projects.get(path.stem)
        if projects is not None and booth_projects is None:
            raise SceneError(path, "booth", "a booth that has content in scenes/content", path.stem)
        item = parse_needs(read_json_file(path, MAX_MATCH_BYTES), path, booth_projects)
        if item.booth != path.stem:
            raise SceneError(path, "booth", f"the file name '{path.stem}'", item.booth)
        needs[item.booth] = item
    funders_path = directory / "funders.json"
    funders = parse_funders(read_json_file(funders_path, MAX_MATCH_BYTES), funders_path)
    ids = {n.id for b in needs.values() for n in b.needs}
    clash = ids & {x for f in funders for x in (f.id, *(o.id for o in f.offers))}
    if clash:
        raise SceneError(funders_path, "id", "ids not used by a need", sorted(clash)[0])
    return MatchData(needs, funders)
