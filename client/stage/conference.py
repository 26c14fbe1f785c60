"""云会议 in the client: ties the stage model, the screens, the panels, reminders and reactions to the app.

The app calls :meth:`Conference.enter_hall` when the scenery changes,
:meth:`Conference.on_message` for ``stage_*`` messages and
:meth:`Conference.update` every frame. F5 opens the programme, F6 the Q&A,
C claps (鼓掌), L likes (点赞), G follows a reminder into its room. Offscreen
runs script the same with ``--stage-*`` options and ``--wait-video``.
"""

from __future__ import annotations

import argparse
import time

from direct.gui.OnscreenText import OnscreenText
from direct.showbase.ShowBase import ShowBase
from panda3d.core import NodePath, TextFont, TextNode

from client import render
from client.offscreen import screen_box
from client.stage import seats
from client.stage.model import STAGE_TYPES, StageModel
from client.stage.panel import StagePanel
from client.stage.screens import (
    BOOTH_VIDEO_SIZE,
    PIP_SIZE,
    VIDEO_SIZE,
    BoothVideoCard,
    PipCard,
    QaScreen,
    VideoScreen,
    find_screen,
)
from client.stage.seats import Seats
from client.stage.sound import ScreenSound
from client.stage.stream import LoopPlayer, StreamPlayer, http_base
from world.scene import Hall

__all__ = ["STAGE_TYPES", "Conference", "add_arguments"]

REACTION_S = 2.0
BOOTH_NEAR_M = 7.0  # a booth's video plays while a visitor is this close to it
REACTION_TEXT = {"clap": ("鼓掌", "Clap", (1.0, 0.8, 0.3, 1)), "like": ("赞", "Like", (0.95, 0.4, 0.45, 1))}
CAPTIONS = {
    "zh": {"waiting": "{title} · 直播尚未开始", "replay": "回放 · {title}", "live": "直播 · {title}",
           "idle": "本会场暂无会议", "count": "本场观众 {n} 人", "alert": "提醒：“{title}” 开始了 · 按 G 前往",
           "qa": "已回答的提问"},
    "en": {"waiting": "{title} · not live yet", "replay": "Replay · {title}", "live": "LIVE · {title}",
           "idle": "No session in this room now", "count": "Audience: {n}",
           "alert": "Starting now: '{title}' · press G to go", "qa": "Answered questions"},
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("云会议 conference (offscreen scripting)")
    group.add_argument("--wait-video", type=int, default=0, metavar="N",
                       help="keep drawing until N video frames were shown on the room's screen (or it failed)")
    group.add_argument("--wait-booth-video", type=int, default=0, metavar="N",
                       help="keep drawing until N pictures of a nearby booth's video were shown (or it failed)")
    group.add_argument("--stage-panel", choices=("schedule", "qa"), help="open the programme or the Q&A panel")
    group.add_argument("--stage-remind", action="append", default=[], metavar="SESSION",
                       help="ask to be reminded when SESSION starts (repeatable)")
    group.add_argument("--stage-go", action="store_true", help="follow the first reminder into its room")
    group.add_argument("--stage-ask", action="append", default=[], metavar="TEXT", help="ask a question")
    group.add_argument("--stage-react", choices=("clap", "like"), help="react once, on entering the room")
    group.add_argument("--stage-login", metavar="TOKEN",
                       help="an organiser token (main.py admin organiser add): mark questions answered or hide them")
    seats.add_arguments(group)


class Conference:
    def __init__(self, base: ShowBase, offscreen: bool, font: TextFont, args: argparse.Namespace):
        self.base, self.args = base, args
        self.model = StageModel(lambda t, **fields: base.net.send(t, **fields))
        self.panel = StagePanel(base, font, self.model, self._room_name)
        self.seats = Seats(base, offscreen, font, args)
        self.video: VideoScreen | None = None
        self.pip_card: PipCard | None = None
        self.qa: QaScreen | None = None
        self.player: StreamPlayer | None = None
        self.pip: StreamPlayer | None = None
        self.sound: ScreenSound | None = None
        self.booth_video: tuple[str, LoopPlayer, BoothVideoCard] | None = None
        self.playing: tuple | None = None
        self.floating: list[tuple[NodePath, float]] = []
        self.upload_s: list[float] = []  # per new picture: the texture update on the frame thread
        self.following: str | None = None  # the room a reminder's teleport leads to, until we are there
        self.scripted = {"remind": list(args.stage_remind), "ask": list(args.stage_ask),
                         "react": args.stage_react, "go": args.stage_go}
        unit = base.win.getYSize() / 2
        self.banner = OnscreenText(parent=base.a2dTopCenter, pos=(0, -0.16), scale=18 / unit, fg=(1, 1, 1, 1),
                                   font=font, mayChange=True, align=TextNode.ACenter)
        self.banner.textNode.setCardColor(0.55, 0.18, 0.1, 0.9)
        self.banner.textNode.setCardAsMargin(0.6, 0.6, 0.3, 0.3)
        self.banner.hide()
        self.count = OnscreenText(parent=base.a2dTopRight, pos=(-0.03, -0.08), scale=15 / unit, fg=(1, 1, 1, 1),
                                  font=font, mayChange=True, align=TextNode.ARight)
        self.count.textNode.setCardColor(0.04, 0.05, 0.08, 0.55)
        self.count.textNode.setCardAsMargin(0.4, 0.4, 0.3, 0.2)
        self.count.hide()
        if args.stage_panel:
            self.panel.open(args.stage_panel)
        if not offscreen:
            base.accept("f5", self.toggle, ["schedule"])
            base.accept("f6", self.toggle, ["qa"])
            base.accept("c", self._key_react, ["clap"])
            base.accept("l", self._key_react, ["like"])
            base.accept("g", self.follow_alert)

    def _room_name(self, hall_id: str) -> str:
        hall = self.base.halls.get(hall_id)
        return hall.name.pick(self.base.lang) if hall is not None else hall_id

    # --- the app's calls -------------------------------------------------------------
    def on_welcome(self) -> None:
        self.model.fetch()
        if self.args.stage_login:
            self.model.login(self.args.stage_login)
        for talk in self.scripted["remind"]:
            self.model.remind(talk, True)

    def enter_hall(self, hall: Hall, hall_root: NodePath) -> None:
        """New scenery: find its screens; outside a conference room there is nothing to play."""
        self._stop_players()
        self._stop_booth_video()
        self.seats.enter_hall(hall)
        self.model.booth_videos = set()
        self.video = self.qa = self.pip_card = None
        video, qa = hall.screen("video"), hall.screen("qa")
        if video is not None and (anchor := find_screen(hall_root, video.id)) is not None:
            self.video = VideoScreen(anchor)
        if qa is not None and (anchor := find_screen(hall_root, qa.id)) is not None:
            self.qa = QaScreen(anchor)
        if video is None:
            self.model.left_room()

    def on_message(self, t: str, fields: dict) -> None:
        self.model.on_message(t, fields)
        self.seats.on_message(t, fields)
        if t == "stage_room":
            self._play(fields.get("stream"))
            for text in self.scripted["ask"]:
                self.model.ask(text)
            self.scripted["ask"] = []
            if self.scripted["react"]:
                self.model.react(self.scripted["react"])
                self.scripted["react"] = None
        elif t == "stage_alert" and self.scripted["go"]:
            self.scripted["go"] = False
            self.follow_alert()

    @property
    def typing(self) -> bool:
        return self.panel.typing

    @property
    def modal(self) -> bool:
        return self.panel.visible

    def toggle(self, page: str) -> None:
        if not self.base.expo.typing and not self.base.journal.typing:
            self.panel.open(None if self.panel.page == page and self.panel.visible else page)

    def escape(self) -> bool:
        if self.panel.visible:
            self.panel.open(None)
            return True
        return False

    def follow_alert(self) -> None:
        if self.model.alerts:
            talk = self.model.alerts.pop()
            self.following = talk["room"]
            self.model.go(talk["id"])
            self.banner.hide()

    def on_error(self, fields: dict) -> None:
        self.seats.on_error(fields)

    def update(self, lang: str) -> None:
        self.seats.update(lang)
        wall = self.model.wall()
        self.panel.refresh(lang, wall)
        self._show_video(lang)
        if self.qa is not None:
            self.qa.show(CAPTIONS[lang]["qa"], [f'√ {q["text"]} — {q["name"]}' for q in self.model.answered])
        if self.model.hall is not None:
            self.count.setText(CAPTIONS[lang]["count"].format(n=self.model.attendees))
            self.count.show()
        else:
            self.count.hide()
        if self.model.alerts:
            self.banner.setText(CAPTIONS[lang]["alert"].format(title=self.model.alerts[-1]["title"][lang]))
            self.banner.show()
        self._float_reactions(lang)
        self._near_booth_video()

    # --- video -----------------------------------------------------------------------
    def _play(self, stream: dict | None) -> None:
        key = None if stream is None else (stream["path"], stream["live"], stream["started"])
        if key == self.playing:
            return
        self._stop_players()
        self.playing = key
        if stream is None or self.video is None:
            return
        base_url = http_base(self.base.net.url, stream.get("port"))
        self.player = StreamPlayer(base_url, stream["path"], stream["started"], stream["live"], VIDEO_SIZE,
                                   clock=self.model.wall)
        self.sound = ScreenSound(self.base, self.video.anchor)
        if "pip" in stream:
            self.pip_card = PipCard(self.video)
            self.pip = StreamPlayer(base_url, stream["pip"], stream["started"], stream["live"], PIP_SIZE,
                                    clock=self.model.wall)

    def _stop_players(self) -> None:
        for player in (self.player, self.pip):
            if player is not None:
                player.stop()
        if self.sound is not None:
            self.sound.stop()
            self.sound = None
        if self.pip_card is not None:
            self.pip_card.remove()
        self.player = self.pip = self.pip_card = None
        self.playing = None

    def _show_video(self, lang: str) -> None:
        if self.video is None:
            return
        texts = CAPTIONS[lang]
        talk = self.model.room_talk
        title = talk["title"][lang] if talk else ""
        if self.player is None:
            self.video.blank()
            self.video.say(texts["waiting"].format(title=title) if talk else texts["idle"])
            return
        started = time.perf_counter()
        picture = self.player.frame()
        if picture is not None:
            self.video.show_picture(picture.bgr)
            self.upload_s.append(time.perf_counter() - started)
        if self.sound is not None:
            self.sound.feed(self.player.audio, self.player.position())
        if self.pip is not None and (small := self.pip.frame()) is not None:
            self.pip_card.show_picture(small.bgr)
        if self.player.problem is not None:
            self.video.say(self.player.problem[0 if lang == "zh" else 1])
        else:
            self.video.say(texts["live" if self.player.live else "replay"].format(title=title))

    # --- booth videos ---------------------------------------------------------------
    def _near_booth_video(self) -> None:
        """Play the nearest booth video within BOOTH_NEAR_M; stop it when the visitor walks away."""
        base, wanted = self.base, None
        if self.model.booth_videos and base.joined:
            x, y = base.player.x, base.player.y
            near = [(((b.pos[0] - x) ** 2 + (b.pos[1] - y) ** 2) ** 0.5, b.id) for b in base.hall.booths
                    if b.id in self.model.booth_videos]
            dist, booth = min(near) if near else (BOOTH_NEAR_M + 1, None)
            wanted = booth if dist <= BOOTH_NEAR_M else None
        current = self.booth_video[0] if self.booth_video else None
        if wanted != current:
            self._stop_booth_video()
            face = base.hall_view.booth_faces.get(wanted) if wanted else None
            if face is not None:
                url = f"{http_base(base.net.url, self.model.videos_port)}/stage/booths/{wanted}.mp4"
                self.booth_video = (wanted, LoopPlayer(url, BOOTH_VIDEO_SIZE), BoothVideoCard(face))
        if self.booth_video is not None and (picture := self.booth_video[1].frame()) is not None:
            self.booth_video[2].show_picture(picture.bgr)

    def _stop_booth_video(self) -> None:
        if self.booth_video is not None:
            self.booth_video[1].stop()
            self.booth_video[2].remove()
            self.booth_video = None

    # --- reactions -------------------------------------------------------------------
    def _key_react(self, kind: str) -> None:
        if not self.typing and not self.base.expo.typing and not self.base.journal.typing:
            self.model.react(kind)

    def _float_reactions(self, lang: str) -> None:
        now = time.monotonic()
        while self.model.reactions:
            vid, kind = self.model.reactions.popleft()
            who = self.base.me.root if vid == self.base.my_id else getattr(self.base.crowd.views.get(vid), "root",
                                                                               None)
            if who is None:
                continue
            zh, en, colour = REACTION_TEXT[kind]
            tn = TextNode("reaction")
            tn.setText(zh if lang == "zh" else en)
            tn.setAlign(TextNode.ACenter)
            tn.setTextColor(*colour)
            node = self.base.render.attachNewNode(tn)
            node.setPos(who.getPos(self.base.render) + (0, 0, 2.1))
            node.setScale(0.35)
            node.setBillboardPointEye()
            render.unlit(node)
            self.floating.append((node, now))
        keep = []
        for node, born in self.floating:
            age = now - born
            if age > REACTION_S:
                node.removeNode()
                continue
            node.setZ(node.getZ() + 0.012)
            node.setAlphaScale(1 - age / REACTION_S)
            keep.append((node, born))
        self.floating = keep

    # --- offscreen -------------------------------------------------------------------
    def settled(self) -> bool:
        if self.scripted["ask"] or self.scripted["react"] or not self.seats.settled():
            return False
        if self.args.wait_booth_video and (self.booth_video is None or (
                self.booth_video[1].frames_shown < self.args.wait_booth_video and self.booth_video[1].problem is None)):
            return False
        want = self.args.wait_video
        if want and (self.player is None or (self.player.frames_shown < want and self.player.problem is None)):
            return False
        problem = self.player.problem if self.player is not None else None
        if problem is not None and self.video is not None and self.video.caption_text not in problem:
            return False  # the worker just found it: let a frame put the reason on the screen first
        if self.scripted["go"] and self.args.stage_remind:
            return False  # waiting for the reminder
        return self.following is None or self.model.hall == self.following

    def report(self) -> dict:
        m = self.model
        booth = None
        if self.booth_video is not None:
            name, player, card = self.booth_video
            lo, hi = card.card.getTightBounds(self.base.render)
            corners = [(x, y, z) for x in (lo.x, hi.x) for y in (lo.y, hi.y) for z in (lo.z, hi.z)]
            booth = {"booth": name, "frames_shown": player.frames_shown, "screen_box": screen_box(self.base, corners),
                     "problem": list(player.problem) if player.problem else None, "world": [list(lo), list(hi)]}
        out: dict = {"hall": m.hall, "attendees": m.attendees, "talk": m.room_talk["id"] if m.room_talk else None,
                     "reminders": sorted(m.reminders), "alerts": [a["id"] for a in m.alerts],
                     "questions": m.questions, "answered": m.answered, "moderator": m.moderator,
                     "floating": len(self.floating), "panel": self.panel.page if self.panel.visible else None,
                     "panel_rows": self.panel.rows, "caption": self.video.caption_text if self.video else None,
                     "booth_videos": sorted(m.booth_videos), "booth_video": booth, "seat": self.seats.report()}
        if self.video is not None:
            corners = [tuple(self.base.render.getRelativePoint(self.video.anchor, (x, 0, z)))
                       for x in (-self.video.w / 2, self.video.w / 2) for z in (-self.video.h / 2, self.video.h / 2)]
            out["screen_box"] = screen_box(self.base, corners)
        p = self.player
        if p is not None:
            wall = m.wall()
            shown = p.shown.t if p.shown else None
            out["video"] = {
                "path": self.playing[0], "live": p.live, "frames_shown": p.frames_shown,
                "position": shown, "wall": wall, "due": p.position(wall),
                "live_lag_s": None if shown is None or not p.live else wall - p.started - shown,
                "audio_s": round(p.audio_s, 2), "audio_fed_s": round(self.sound.fed_s, 2) if self.sound else 0.0,
                "problem": list(p.problem) if p.problem else None,
                "decode_ms": round(sum(p.decode_s) / len(p.decode_s) * 1000, 2) if p.decode_s else None,
                "upload_ms": round(sum(self.upload_s) / len(self.upload_s) * 1000, 3) if self.upload_s else None,
            }
        return out

    def close(self) -> None:
        self._stop_players()
        self._stop_booth_video()
