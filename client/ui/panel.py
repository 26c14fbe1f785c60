"""The kiosk panel: one booth's institution, introduction, projects and products.

DirectGui on aspect2d with the CJK font. Long text is broken by
:func:`client.wrap.wrap` measured in the font (TextNode's own word wrap only
breaks at spaces, which Chinese does not have). Pictures appear as their blobs
arrive; the panel is rebuilt when content, pictures or the language change.
The card is as tall as its content, so the hall stays in view below and
beside it. A picture's thumbnail is drawn while the full picture is on its
way. How long after opening: :attr:`BoothPanel.first_picture_s` until the
first picture (small or full) shows, ``previews_s`` until every slot shows
one, ``pictures_s`` until every picture shows in full (offscreen reports).
"""

from __future__ import annotations

import io
import time

from direct.gui.DirectGui import DGG, DirectButton, DirectFrame, OnscreenImage, OnscreenText
from direct.showbase.MessengerGlobal import messenger
from panda3d.core import TextFont, TextNode, Texture, TransparencyAttrib
from PIL import Image

from client.ui.wrap import wrap

PANEL = (-1.12, 1.12, -0.92, 0.86)  # left, right, lowest bottom, top in aspect2d units
INK, MUTED, ACCENT = (0.13, 0.14, 0.17, 1), (0.38, 0.4, 0.45, 1), (0.72, 0.2, 0.15, 1)
BODY = 0.046
MAX_PRODUCTS_SHOWN = 8
LABELS = {
    "zh": {"loading": "正在加载展位内容…", "projects": "公益项目", "products": "展品与好物", "intro": "机构介绍",
           "fav": "☆ 收藏", "faved": "★ 已收藏", "contact": "联系展商", "close": "Esc 关闭", "yuan": "¥{p:g}",
           "book": "预约洽谈", "intent_hint": "点击好物，登记购买或捐赠意向"},
    "en": {"loading": "Loading booth content…", "projects": "Projects", "products": "Products", "intro": "About us",
           "fav": "☆ Favourite", "faved": "★ Favourited", "contact": "Contact", "close": "Esc to close",
           "yuan": "¥{p:g}", "book": "Book a meeting",
           "intent_hint": "click a product to buy or donate it"},
}


def texture_from_png(data: bytes, name: str) -> Texture | None:
    """A texture from PNG bytes, resized to power-of-two sides (tinydisplay accepts no others).

    Pillow decodes and resamples (a few milliseconds; PNMImage's Gaussian
    filter took 30-170 ms a picture and held up the panel's pictures).
    """
    try:
        image = Image.open(io.BytesIO(data))
        image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    w, h = (min(1 << max(0, (n - 1).bit_length()), 1024) for n in image.size)
    if (w, h) != image.size:
        image = image.resize((w, h), Image.Resampling.BILINEAR)
    image = image.transpose(Image.Transpose.FLIP_TOP_BOTTOM)  # Panda3D's rows run bottom-up
    tex = Texture(name)
    rgba = image.mode == "RGBA"
    tex.setup2dTexture(w, h, Texture.T_unsigned_byte, Texture.F_rgba if rgba else Texture.F_rgb)
    tex.setRamImageAs(image.tobytes(), "RGBA" if rgba else "RGB")
    return tex


class BoothPanel:
    def __init__(self, font: TextFont):
        self.font = font
        self.frame: DirectFrame | None = None
        self.booth: str | None = None
        self.favourite = False
        self.contact_shown = False
        self.shown_key: tuple = ()
        self.lines: list[str] = []  # the wrapped introduction, for reports and tests
        self.images_shown = 0
        self.image_slots = 0
        self.box = PANEL  # the card as drawn: left, right, bottom, top
        self.opened_at = 0.0
        self.pictures_s: float | None = None  # seconds from opening until every picture was shown in full
        self.first_picture_s: float | None = None  # ... until the first picture (thumbnail or full) was shown
        self.previews_s: float | None = None  # ... until every slot showed a picture (thumbnail or full)
        self.previews_shown = 0
        self.first_shown: str | None = None  # "thumbnail" or "full": what the first picture drawn was
        self._textures: dict[str, Texture] = {}

    @property
    def is_open(self) -> bool:
        return self.booth is not None

    def open(self, booth: str) -> None:
        self.close()
        self.booth, self.contact_shown = booth, False
        self.opened_at, self.pictures_s = time.monotonic(), None
        self.first_picture_s = self.previews_s = self.first_shown = None

    def close(self) -> None:
        if self.frame is not None:
            self.frame.destroy()
        self.frame, self.booth, self.shown_key = None, None, ()

    def measure(self, scale: float):
        tn = TextNode("measure")
        tn.setFont(self.font)
        return lambda s: tn.calcWidth(s) * scale

    def show(self, lang: str, manifest: dict | None, images: dict[str, bytes], favourite: bool) -> None:
        """Draw (or redraw, when anything shown changed) the panel for the open booth."""
        have = tuple(h for h in images)
        key = (lang, id(manifest), len(have), favourite, self.contact_shown)
        if key == self.shown_key:
            return
        self.shown_key, self.favourite = key, favourite
        if self.frame is not None:
            self.frame.destroy()
        left, right, _, top = PANEL
        self.frame = DirectFrame(frameColor=(0.985, 0.975, 0.955, 0.97), frameSize=PANEL, sortOrder=10)
        self.frame.setTransparency(TransparencyAttrib.MAlpha)
        DirectFrame(parent=self.frame, frameColor=ACCENT, frameSize=(left, right, top - 0.012, top))
        labels = LABELS[lang]
        self._text(labels["close"], (right - 0.05, top - 0.07), 0.038, MUTED, TextNode.ARight)
        if manifest is None:
            self._text(labels["loading"], (0, top - 0.3), 0.06, MUTED, TextNode.ACenter)
            self._fit(top - 0.45)
            return
        self.image_slots = 0
        self._fit(self._content(lang, manifest, images, favourite))
        since = round(time.monotonic() - self.opened_at, 3)
        if self.first_picture_s is None and self.previews_shown:
            self.first_picture_s = since
            self.first_shown = "full" if self.images_shown == self.previews_shown else "thumbnail"
        if self.previews_s is None and self.previews_shown == self.image_slots:
            self.previews_s = since
        if self.pictures_s is None and self.images_shown == self.image_slots:
            self.pictures_s = since

    def _fit(self, lowest: float) -> None:
        """Shrink the card to end just under its lowest line."""
        left, right, bottom, top = PANEL
        self.box = (left, right, max(bottom, lowest - 0.05), top)
        self.frame["frameSize"] = self.box

    def _content(self, lang: str, manifest: dict, images: dict[str, bytes], favourite: bool) -> float:
        """Lay out the booth's content; the lowest y used."""
        left, right, bottom, top = PANEL
        labels = LABELS[lang]
        other = "en" if lang == "zh" else "zh"
        self._text(manifest["institution"][lang], (left + 0.06, top - 0.11), 0.075, INK)
        self._text(manifest["institution"][other], (left + 0.06, top - 0.17), 0.04, MUTED)
        # left column: poster, contact, buttons
        x0, y = left + 0.06, top - 0.24
        self.images_shown = self.previews_shown = 0
        self._image(manifest["poster"], images, (x0 + 0.42, y - 0.315), (0.42, 0.315), manifest.get("poster_thumb"))
        y -= 0.69
        lowest = y
        for line in wrap(manifest["contact"][lang], 0.84, self.measure(0.036)):
            self._text(line, (x0, y), 0.036, MUTED)
            y -= 0.05
        self._button(labels["faved"] if favourite else labels["fav"], (x0 + 0.12, y - 0.06), "booth-favourite")
        self._button(labels["contact"], (x0 + 0.42, y - 0.06), "booth-contact")
        self._button(labels["book"], (x0 + 0.72, y - 0.06), "booth-book")  # 云对接: this booth's free slots
        if self.contact_shown:
            for line in wrap(manifest["contact"][lang], 0.84, self.measure(0.034))[:2]:
                y -= 0.05
                self._text(line, (x0, y - 0.12), 0.034, ACCENT)
        lowest = min(lowest, y - 0.12)
        # right column: intro, projects, products
        cx, cw, y = left + 1.02, right - left - 1.08, top - 0.26
        self._text(labels["intro"], (cx, y), 0.048, ACCENT)
        y -= 0.065
        self.lines = wrap(manifest["intro"][lang], cw, self.measure(BODY))
        for line in self.lines[:7]:
            self._text(line, (cx, y), BODY, INK)
            y -= 0.058
        y -= 0.02
        self._text(labels["projects"], (cx, y), 0.048, ACCENT)
        y -= 0.062
        for p in manifest["projects"][:3]:
            text = f"• {p['name'][lang]}：{p['summary'][lang]}" if lang == "zh" else \
                f"• {p['name'][lang]}: {p['summary'][lang]}"
            for line in wrap(text, cw, self.measure(0.04))[:2]:
                self._text(line, (cx, y), 0.04, INK)
                y -= 0.052
        y -= 0.02
        self._text(labels["products"], (cx, y), 0.048, ACCENT)
        if manifest["products"]:
            self._text(labels["intent_hint"], (right - 0.06, y), 0.032, MUTED, TextNode.ARight)
        products = manifest["products"][:MAX_PRODUCTS_SHOWN]
        size = min(0.2, (cw - 0.03 * 3) / 4 / 1.0)
        for i, p in enumerate(products):
            col, row = i % 4, i // 4
            px = cx + col * (cw / 4) + size / 2
            py = y - 0.04 - size / 2 - row * (size + 0.15)
            if py - size / 2 - 0.1 < bottom:
                break
            self._image(p["image"], images, (px, py), (size / 2, size / 2), p.get("thumb"))
            name = wrap(p["name"][lang], cw / 4 - 0.02, self.measure(0.036))[0]
            self._text(name, (px - size / 2, py - size / 2 - 0.05), 0.036, INK)
            self._text(labels["yuan"].format(p=p["price_cny"]), (px - size / 2, py - size / 2 - 0.095), 0.036,
                       ACCENT)
            DirectButton(parent=self.frame, frameColor=(0, 0, 0, 0), relief=DGG.FLAT, pos=(px, 0, py),
                         frameSize=(-size / 2, size / 2, -size / 2, size / 2), command=messenger.send,
                         extraArgs=["product-intent", [self.booth, p, "buy"]])  # 云对接: buy or donate it
            lowest = min(lowest, py - size / 2 - 0.11)
        return min(lowest, y - 0.06)

    def _text(self, text: str, pos: tuple, scale: float, fg: tuple, align=TextNode.ALeft) -> OnscreenText:
        return OnscreenText(parent=self.frame, text=text, pos=pos, scale=scale, fg=fg, align=align, font=self.font,
                            mayChange=False)

    def _button(self, text: str, pos: tuple, event: str) -> None:
        """A button that sends ``event`` to whoever listens (exhibition, social, matchmaking)."""
        DirectButton(parent=self.frame, text=text, text_font=self.font, text_scale=0.042, pos=(pos[0], 0, pos[1]),
                     frameColor=(0.93, 0.9, 0.84, 1), pad=(0.04, 0.025), relief=DGG.FLAT, text_fg=INK,
                     command=messenger.send, extraArgs=[event])

    def _image(self, digest: str, images: dict[str, bytes], pos: tuple, half: tuple, thumb: str | None) -> None:
        """The picture ``digest`` in full if it is here, else its thumbnail if that is, else an empty frame."""
        self.image_slots += 1
        DirectFrame(parent=self.frame, frameColor=(0.86, 0.84, 0.8, 1),
                    frameSize=(pos[0] - half[0] - 0.008, pos[0] + half[0] + 0.008,
                               pos[1] - half[1] - 0.008, pos[1] + half[1] + 0.008))
        shown = digest if digest in images else thumb if thumb in images else None
        if shown is None:
            return
        tex = self._textures.get(shown) or texture_from_png(images[shown], shown[:12])
        if tex is None:
            return
        self._textures[shown] = tex
        OnscreenImage(parent=self.frame, image=tex, pos=(pos[0], 0, pos[1]), scale=(half[0], 1, half[1]))
        self.previews_shown += 1
        self.images_shown += shown == digest
