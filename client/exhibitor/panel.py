"""The exhibitor panel (F4): token, booth, file, local check report, publish progress, server thumbnail.

DirectGui on aspect2d with the CJK font, in the style of client/panel.py.
The two text entries (token, masked, and file path; DirectGui has no file
dialog) live for the panel's whole life so typing is never interrupted;
everything else is rebuilt from :class:`~client.exhibitor_link.ExhibitorLink`
when its ``version``, the language or the thumbnail changes. Buttons carry
both languages; the rest follows F1. Problems are the validator's (or the
server's) own texts in the visitor's language.
"""

from __future__ import annotations

from collections.abc import Callable

from direct.gui.DirectGui import DGG, DirectButton, DirectEntry, DirectFrame, OnscreenImage, OnscreenText
from panda3d.core import TextFont, TextNode, Texture

from client.exhibitor.link import ExhibitorLink
from client.ui.panel import texture_from_png
from client.ui.texts import problem_text
from client.ui.wrap import wrap
from world.scene import Text

FRAME = (-1.25, 1.25, -0.92, 0.92)  # left, right, bottom, top in aspect2d units
INK, MUTED, ACCENT = (0.13, 0.14, 0.17, 1), (0.38, 0.4, 0.45, 1), (0.72, 0.2, 0.15, 1)
GOOD, BAD, WARN = (0.1, 0.5, 0.22, 1), (0.75, 0.12, 0.1, 1), (0.7, 0.45, 0.05, 1)
BUTTON = ((0.93, 0.9, 0.84, 1), (0.98, 0.86, 0.7, 1), (1, 0.92, 0.8, 1), (0.9, 0.9, 0.9, 0.6))
CHOSEN = (0.98, 0.8, 0.62, 1)
ENTRY_X, COLUMN_X, THUMB = -0.95, 0.42, (0.8, -0.27, 0.34)  # thumbnail centre x, y and half size
ROWS = (0.62, 0.5, 0.38)  # baselines of the token, booth and file rows
MAX_BOOTHS_SHOWN = 4
LABELS = {
    "zh": {"title": "展商模式 · 发布展位模型", "close": "F4 / Esc 关闭", "token": "令牌", "booth": "展位",
           "file": "文件",
           "types": "可选 .glb、.gltf（连同所在文件夹）、.zip、文件夹；图片 .png/.jpg；展位内容 .json/.toml",
           "logged_out": "输入展商令牌，按回车或“登录”", "logging_in": "正在登录…", "as": "已登录：{name}",
           "no_booths": "登录后在这里选择展位", "check_head": "本地检查（与服务器同一套规则）",
           "server_head": "服务器报告", "nothing": "填写文件路径，按回车或“检查”",
           "checking": "正在检查…", "checked": "检查通过：服务器会接受这个文件，可以发布",
           "check_refused": "检查未通过：服务器会拒绝，请先修改文件",
           "not_model": "文件可以读取；图片和内容文件的其余检查在服务器上进行",
           "publish_head": "发布", "publishing": "正在上传 {name}：{pct}%", "processing": "服务器正在检查并渲染…",
           "published": "已发布 v{version}：访客现在看到的就是它",
           "live": "展厅里的访客无需重新连接，马上就能看到新模型；如需撤回，主办方可以回滚到以前的版本。",
           "sent": "已上传 {name}（{mb:.2f} MB）", "accepted": "服务器已接受 {name}",
           "rejected": "服务器拒绝了这个文件", "failed": "发布失败：{why}", "thumb_head": "服务器渲染的缩略图",
           "thumb_wait": "等待缩略图…", "model": "模型 {hash}…", "more": "……还有 {n} 条",
           "stats": {"triangles": "{} 个三角形", "vertices": "{} 个顶点", "materials": "{} 种材质",
                     "textures": "{} 张贴图", "max_texture_px": "最大贴图 {} 像素"}},
    "en": {"title": "Exhibitor mode · publish your booth model", "close": "F4 / Esc to close", "token": "Token",
           "booth": "Booth", "file": "File",
           "types": ".glb, .gltf (with its folder), .zip or a folder; pictures .png/.jpg; booth content .json/.toml",
           "logged_out": "Enter your exhibitor token, then Enter or Log in", "logging_in": "Logging in…",
           "as": "Logged in: {name}", "no_booths": "Your booths appear here after logging in",
           "check_head": "Local check (the server's own rules)", "server_head": "Server report",
           "nothing": "Type the file's path, then Enter or Check", "checking": "Checking…",
           "checked": "Check passed: the server will accept this file; ready to publish",
           "check_refused": "Check failed: the server would refuse it; fix the file first",
           "not_model": "The file is readable; pictures and content files get their other checks on the server",
           "publish_head": "Publish",
           "publishing": "Uploading {name}: {pct}%", "processing": "The server is checking and rendering…",
           "published": "Published v{version}: this is what visitors see now", "accepted": "Accepted: {name}",
           "live": "Visitors in the hall see the new model at once, without reconnecting; the organizer can roll "
                   "back to an earlier version.",
           "sent": "Sent {name} ({mb:.2f} MB)",
           "rejected": "The server refused this file", "failed": "Publishing failed: {why}",
           "thumb_head": "Thumbnail rendered by the server", "thumb_wait": "Waiting for the thumbnail…",
           "model": "model {hash}…", "more": "… and {n} more",
           "stats": {"triangles": "{} triangles", "vertices": "{} vertices", "materials": "materials: {}",
                     "textures": "textures: {}", "max_texture_px": "textures up to {} px"}},
}


class ExhibitorPanel:
    def __init__(self, font: TextFont, link: ExhibitorLink, booth_name: Callable[[str], Text], unit: float):
        """``unit``: pixels per aspect2d unit, to rasterise each text size at the size it is shown."""
        self.font, self.link, self.booth_name, self.unit = font, link, booth_name, unit
        self._fonts: dict[int, TextFont] = {}
        left, right, bottom, top = FRAME
        self.frame = DirectFrame(frameColor=(0.985, 0.975, 0.955, 1), frameSize=FRAME, sortOrder=12)
        DirectFrame(parent=self.frame, frameColor=ACCENT, frameSize=(left, right, top - 0.012, top))
        self.token = self._entry(ROWS[0], 0.78, self.link.login, obscured=1)
        self.file = self._entry(ROWS[2], 1.17, self.link.check_file)
        self.body: DirectFrame | None = None
        self.drawn: tuple = ()
        self.thumb_shown: str | None = None  # hash of the thumbnail on screen
        self.lang = "zh"
        self._texture: tuple[str, Texture] | None = None  # the thumbnail's, kept across redraws
        self.figures = None  # 云对接's BoothFigures (client/match/figures.py), given by the app: the 展位数据 page
        self.page = "publish"  # or "figures": the lower half shows the booth's charts, contacts and intents
        self.frame.hide()

    def _entry(self, y: float, width: float, command, **extra) -> DirectEntry:
        return DirectEntry(parent=self.frame, entryFont=self._sized(0.042), scale=0.042, width=width / 0.042,
                           numLines=1, pos=(ENTRY_X, 0, y), frameColor=(1, 1, 1, 1), text_fg=INK, command=command,
                           focusOutCommand=lambda: None, pad=(0.3, 0.35), **extra)

    @property
    def is_open(self) -> bool:
        return not self.frame.isHidden()

    @property
    def typing(self) -> bool:
        """An entry has the keyboard: letters are text, not walking or shortcuts.

        Asked of PGEntry itself: a click focuses an entry without touching its ``focus`` option.
        """
        return self.is_open and (self.token.guiItem.getFocus() or self.file.guiItem.getFocus())

    def open(self) -> None:
        self.frame.show()
        (self.file if self.link.account else self.token).guiItem.setFocus(True)

    def close(self) -> None:
        self.token.guiItem.setFocus(False)
        self.file.guiItem.setFocus(False)
        self.frame.hide()

    def refresh(self, lang: str, thumbnail: tuple[str, bytes] | None) -> None:
        """Draw again if anything shown changed: the link's state, the language or the thumbnail."""
        key = (lang, self.link.version, thumbnail[0] if thumbnail else None, self.page,
               self.figures.version() if self.figures is not None and self.page == "figures" else 0)
        if key == self.drawn or not self.is_open:
            return
        self.drawn, self.lang = key, lang
        if self.body is not None:
            self.body.destroy()
        self.body = DirectFrame(parent=self.frame, relief=None)
        labels, other = LABELS[lang], LABELS["en" if lang == "zh" else "zh"]
        left, right, bottom, top = FRAME
        self._text(labels["title"], (left + 0.06, top - 0.11), 0.07, INK)
        self._text(other["title"], (left + 0.06, top - 0.17), 0.038, MUTED)
        self._text(labels["close"], (right - 0.05, top - 0.07), 0.038, MUTED, TextNode.ARight)
        for y, name in zip(ROWS, ("token", "booth", "file"), strict=True):
            self._text(labels[name], (left + 0.06, y), 0.045, ACCENT)
        self._account_row(labels)
        link = self.link
        self._button("检查 Check", (0.27, ROWS[2]), 0.3, lambda: link.check_file(self.file.get()), not link.busy)
        ready = link.account is not None and link.booth is not None and not link.busy
        self._button("发布 Publish", (0.62, ROWS[2]), 0.36, lambda: link.publish(self.file.get()), ready)
        self._text(labels["types"], (left + 0.06, ROWS[2] - 0.09), 0.036, MUTED)
        DirectFrame(parent=self.body, frameColor=(0.86, 0.84, 0.8, 1),
                    frameSize=(left + 0.06, right - 0.06, 0.2, 0.206))
        if self.figures is not None:
            on_figures = self.page == "figures"
            self._button("发布 Publish" if on_figures else "展位数据 Figures", (0.42, top - 0.1), 0.38,
                         self.show_publish if on_figures else self.show_figures,
                         on_figures or (link.account is not None and link.booth is not None))
            if on_figures and link.booth is not None:
                self.figures.draw(self.body, lang, link.booth, self._sized)
                return
        self._report(lang, labels)
        self._publishing(labels)
        self._thumbnail(labels, thumbnail)

    def show_figures(self) -> None:
        """The 展位数据 page: the chosen booth's figures, fetched with the token typed above."""
        if self.figures is not None and self.link.booth is not None:
            self.page = "figures"
            self.figures.request(self.token.get(), self.link.booth)

    def show_publish(self) -> None:
        self.page = "publish"

    def _account_row(self, labels: dict) -> None:
        link = self.link
        self._button("登录 Log in", (-0.1, ROWS[0]), 0.34, lambda: link.login(self.token.get()), not link.busy)
        if link.status == "logging_in":
            self._text(labels["logging_in"], (0.32, ROWS[0]), 0.04, MUTED)
        elif link.account is not None:
            self._text(labels["as"].format(name=link.account["name"]), (0.32, ROWS[0]), 0.04, GOOD)
        elif link.error is not None:
            for n, line in enumerate(wrap(self._why(link.error), 0.87, self._measure(0.036))[:2]):
                self._text(line, (0.32, ROWS[0] - n * 0.05), 0.036, BAD)
        else:
            self._text(labels["logged_out"], (0.32, ROWS[0]), 0.036, MUTED)
        booths = link.account["booths"][:MAX_BOOTHS_SHOWN] if link.account else []
        if not booths:
            self._text(labels["no_booths"], (ENTRY_X, ROWS[1]), 0.038, MUTED)
        for i, booth in enumerate(booths):
            lines = wrap(f"{booth} · {self.booth_name(booth).pick(self.lang)}", 0.44, self._measure(0.038))
            self._button(lines[0] + ("…" if len(lines) > 1 else ""), (ENTRY_X + i * 0.52, ROWS[1]), 0.48,
                         lambda b=booth: link.choose(b), not link.busy, chosen=booth == link.booth)

    def _report(self, lang: str, labels: dict) -> None:
        """The server's report once there is one, else the local check's: status, costs, problems."""
        link, x, width = self.link, FRAME[0] + 0.06, COLUMN_X - 0.1 - (FRAME[0] + 0.06)
        server = link.result is not None
        self._text(labels["server_head" if server else "check_head"], (x, 0.12), 0.046, ACCENT)
        if server:
            report, ok = link.result["report"], link.result["ok"]
            status = labels["rejected"] if not ok else labels["published"].format(version=link.result["version"]) \
                if "version" in link.result else labels["accepted"].format(name=link.result["name"])
        elif link.check is not None and link.status != "checking":
            report, ok = {"problems": link.check.problems, "stats": link.check.stats}, link.check.ok
            status = labels[("checked" if link.check.kind == "model" else "not_model") if ok else "check_refused"]
        else:
            self._text(labels["checking" if link.status == "checking" else "nothing"], (x, 0.04), 0.04, MUTED)
            return
        y = 0.04
        for line in wrap(status, width, self._measure(0.042))[:2]:
            self._text(line, (x, y), 0.042, GOOD if ok else BAD)
            y -= 0.06
        for line in wrap(self._stats(report["stats"], labels), width, self._measure(0.038))[:2]:
            self._text(line, (x, y), 0.038, MUTED)
            y -= 0.055
        if server and ok and "version" in link.result:
            for line in wrap(labels["live"], width, self._measure(0.038))[:3]:
                self._text(line, (x, y), 0.038, INK)
                y -= 0.055
        y -= 0.02
        problems = report["problems"]
        for n, p in enumerate(problems):
            lines = wrap(f"[{p['code']}] {p[lang]}", width, self._measure(0.036))
            if y - 0.05 * len(lines) < -0.5:
                self._text(labels["more"].format(n=len(problems) - n), (x, y), 0.034, MUTED)
                break
            for line in lines:
                self._text(line, (x, y), 0.036, BAD if p["severity"] == "error" else WARN)
                y -= 0.05

    def _publishing(self, labels: dict) -> None:
        link, x, width = self.link, FRAME[0] + 0.06, COLUMN_X - 0.1 - (FRAME[0] + 0.06)
        if link.status != "publishing" and link.sent is None and link.status != "failed":
            return
        self._text(labels["publish_head"], (x, -0.6), 0.046, ACCENT)
        name, done, size = link.sent or ("", 0, 1)
        frac = done / size if size else 1.0
        DirectFrame(parent=self.body, frameColor=(0.9, 0.88, 0.84, 1), frameSize=(x, x + width, -0.7, -0.66))
        DirectFrame(parent=self.body, frameColor=GOOD if link.status != "failed" else BAD,
                    frameSize=(x, x + width * frac, -0.7, -0.66))
        if link.status == "failed":
            text, colour = labels["failed"].format(why=self._why(link.error)), BAD
        elif link.status == "publishing":
            text = labels["processing"] if link.sent and done >= size else \
                labels["publishing"].format(name=name, pct=round(frac * 100))
            colour = MUTED
        else:
            text, colour = labels["sent"].format(name=name, mb=size / 1e6), MUTED
        self._text(wrap(text, width, self._measure(0.038))[0], (x, -0.78), 0.038, colour)

    def _thumbnail(self, labels: dict, thumbnail: tuple[str, bytes] | None) -> None:
        cx, cy, half = THUMB
        result = self.link.result
        if result is None or "thumbnail" not in result:
            self.thumb_shown = None
            return
        self._text(labels["thumb_head"], (COLUMN_X, 0.12), 0.046, ACCENT)
        DirectFrame(parent=self.body, frameColor=(0.86, 0.84, 0.8, 1),
                    frameSize=(cx - half - 0.01, cx + half + 0.01, cy - half - 0.01, cy + half + 0.01))
        if thumbnail is not None and (self._texture is None or self._texture[0] != thumbnail[0]):
            made = texture_from_png(thumbnail[1], thumbnail[0][:12])
            self._texture = (thumbnail[0], made) if made is not None else None
        tex = self._texture[1] if thumbnail is not None and self._texture is not None else None
        if tex is None:
            self._text(labels["thumb_wait"], (cx, cy), 0.038, MUTED, TextNode.ACenter)
            self.thumb_shown = None
        else:
            OnscreenImage(parent=self.body, image=tex, pos=(cx, 0, cy), scale=(half, 1, half))
            self.thumb_shown = thumbnail[0]
        caption = labels["model"].format(hash=result["hash"][:12])
        if "version" in result:
            caption = f"v{result['version']} · {caption}"
        self._text(caption, (cx, cy - half - 0.08), 0.036, MUTED, TextNode.ACenter)

    def _stats(self, stats: dict, labels: dict) -> str:
        parts = [labels["stats"][k].format(stats[k]) for k in labels["stats"] if stats.get(k)]
        size = stats.get("size_bytes") or 0
        if size:
            parts.append(f"{size / 1e6:.2f} MB" if size >= 100_000 else f"{size / 1e3:.1f} KB")
        return " · ".join(parts)

    def _why(self, error: tuple[str, str]) -> str:
        return problem_text(self.lang, *error)

    def _sized(self, scale: float) -> TextFont:
        """The font with glyphs rasterised at their on-screen size: shrunk big glyphs lose thin strokes (- _ I)."""
        px = max(8, round(scale * self.unit))
        if px not in self._fonts:
            self._fonts[px] = self.font.makeCopy()
            self._fonts[px].setPixelsPerUnit(px)
        return self._fonts[px]

    def _measure(self, scale: float):
        tn = TextNode("measure")
        tn.setFont(self.font)
        return lambda s: tn.calcWidth(s) * scale

    def _text(self, text: str, pos: tuple, scale: float, fg: tuple, align=TextNode.ALeft) -> None:
        OnscreenText(parent=self.body, text=text, pos=pos, scale=scale, fg=fg, align=align, font=self._sized(scale),
                     mayChange=False)

    def _button(self, text: str, pos: tuple, width: float, command, enabled: bool, chosen: bool = False) -> None:
        colours = (CHOSEN, *BUTTON[1:]) if chosen else BUTTON
        DirectButton(parent=self.body, text=text, text_font=self._sized(0.038), text_scale=0.038,
                     text_align=TextNode.ALeft, text_fg=INK if enabled else MUTED, frameColor=colours,
                     frameSize=(-0.02, width, -0.022, 0.048), pos=(pos[0], 0, pos[1]), relief=DGG.FLAT, command=command,
                     state=DGG.NORMAL if enabled else DGG.DISABLED)
