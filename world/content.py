"""Load and validate booth content files (``scenes/content/<booth>.json``).

A content file says who exhibits at a booth and what they show: institution,
introduction, projects, products with pictures, a poster and a contact line.
Like hall files they are edited by people (and later uploaded by exhibitors),
so a broken one fails with a :class:`~world.scene.SceneError` naming the file,
the field and what was expected. Pictures are PNG files next to the content,
referenced by relative paths that may not leave the content directory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from world.scene import FieldReader, SceneError, Text, read_json_file

CONTENT_FORMAT = 1
CONTENT_DIR = Path(__file__).resolve().parent.parent / "scenes" / "content"
MAX_CONTENT_BYTES = 256 * 1024
MAX_IMAGE_BYTES = 2 * 1024 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CATEGORIES = ("rural", "education", "elderly", "relief", "health", "children", "environment", "culture", "goods",
              "scenery", "service")
MAX_PROJECTS, MAX_PRODUCTS = 12, 24
NAME_CHARS, SUMMARY_CHARS, INTRO_CHARS = 60, 200, 600
_IMAGE = re.compile(r"^images/[a-z0-9][a-z0-9._-]{0,80}\.png$")


@dataclass(frozen=True)
class Project:
    id: str
    name: Text
    summary: Text


@dataclass(frozen=True)
class Product:
    id: str
    name: Text
    price_cny: float
    origin: Text
    image: str  # path relative to the content directory


@dataclass(frozen=True)
class BoothContent:
    booth: str
    category: str
    institution: Text
    intro: Text
    projects: tuple[Project, ...]
    products: tuple[Product, ...]
    poster: str
    contact: Text
    source: str

    @property
    def images(self) -> list[str]:
        """Every picture the booth shows, poster first, each once."""
        return list(dict.fromkeys([self.poster, *(p.image for p in self.products)]))


def _image(r: FieldReader, value, field: str) -> str:
    if not isinstance(value, str) or not _IMAGE.match(value):
        raise r.fail(field, "a path 'images/<name>.png' (lowercase letters, digits, '.', '_', '-')", value)
    return value


def parse_content(data: object, source: Path | str) -> BoothContent:
    """Validate decoded JSON ``data`` into :class:`BoothContent`; raise SceneError."""
    r = FieldReader(source)
    if not isinstance(data, dict):
        raise r.fail("(root)", "a JSON object", type(data).__name__)
    if r.get(data, "format", "") != CONTENT_FORMAT:
        raise r.fail("format", f"{CONTENT_FORMAT}", data.get("format"))
    category = r.get(data, "category", "")
    if category not in CATEGORIES:
        raise r.fail("category", "one of " + ", ".join(CATEGORIES), category)
    projects, seen = [], set()
    for i, p in enumerate(r.items(r.get(data, "projects", ""), "projects", MAX_PROJECTS)):
        f = f"projects[{i}]"
        pid = r.ident(r.get(p, "id", f), f + ".id")
        if pid in seen:
            raise r.fail(f + ".id", "an id not used by another project", pid)
        seen.add(pid)
        projects.append(Project(pid, r.text(r.get(p, "name", f), f + ".name", NAME_CHARS),
                                r.text(r.get(p, "summary", f), f + ".summary", SUMMARY_CHARS)))
    products = []
    for i, p in enumerate(r.items(r.get(data, "products", ""), "products", MAX_PRODUCTS)):
        f = f"products[{i}]"
        pid = r.ident(r.get(p, "id", f), f + ".id")
        if pid in seen:
            raise r.fail(f + ".id", "an id not used by another project or product", pid)
        seen.add(pid)
        products.append(Product(
            id=pid,
            name=r.text(r.get(p, "name", f), f + ".name", NAME_CHARS),
            price_cny=r.number(r.get(p, "price_cny", f), f + ".price_cny", 0.0, 1_000_000.0),
            origin=r.text(r.get(p, "origin", f), f + ".origin", NAME_CHARS),
            image=_image(r, r.get(p, "image", f), f + ".image"),
        ))
    return BoothContent(
        booth=r.ident(r.get(data, "booth", ""), "booth"),
        category=category,
        institution=r.text(r.get(data, "institution", ""), "institution", NAME_CHARS),
        intro=r.text(r.get(data, "intro", ""), "intro", INTRO_CHARS),
        projects=tuple(projects),
        products=tuple(products),
        poster=_image(r, r.get(data, "poster", ""), "poster"),
        contact=r.text(r.get(data, "contact", ""), "contact", SUMMARY_CHARS),
        source=str(source),
    )


def load_content(path: Path | str) -> BoothContent:
    """Read, size-check, decode and validate one content file; its pictures must exist and be PNG."""
    path = Path(path)
    content = parse_content(read_json_file(path, MAX_CONTENT_BYTES), path)
    if content.booth != path.stem:
        raise SceneError(path, "booth", f"the file name '{path.stem}'", content.booth)
    for field, rel in [("poster", content.poster)] + [(f"products[{i}].image", p.image)
                                                      for i, p in enumerate(content.products)]:
        read_image(path.parent, rel, path, field)
    return content


def read_image(directory: Path, rel: str, source: Path | str, field: str) -> bytes:
    """The PNG at ``directory/rel`` (checked: exists, size limit, PNG signature)."""
    image = directory / rel
    try:
        size = image.stat().st_size
        if size > MAX_IMAGE_BYTES:
            raise SceneError(source, field, f"a picture of at most {MAX_IMAGE_BYTES} bytes", size)
        blob = image.read_bytes()
    except OSError:
        raise SceneError(source, field, "an existing picture file", rel) from None
    if not blob.startswith(PNG_MAGIC):
        raise SceneError(source, field, "a PNG picture", rel)
    return blob


def load_contents(directory: Path | str = CONTENT_DIR) -> dict[str, BoothContent]:
    """All content files in ``directory`` by booth id."""
    return {c.booth: c for c in (load_content(p) for p in sorted(Path(directory).glob("*.json")))}
