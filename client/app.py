"""The 3D client: a ShowBase app that ties network, hall, avatars, camera and HUD together.

main.py calls :func:`add_arguments` to build its ``client`` options and
:func:`run` with the parsed namespace. Exit codes: 0 done, 2 cannot start (bad
option, unknown hall, missing asset, no window), 3 an offscreen run's goals
were not met before ``--timeout`` (its screenshot and report are still written).
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import time
from pathlib import Path

from direct.showbase.ShowBase import ShowBase
from panda3d.core import ClockObject, TextNode
from websockets.exceptions import InvalidURI
from websockets.uri import parse_uri

from client import render
from client.avatars.bodies import AVATAR_HEIGHT, FAR_MODEL_FROM, AvatarView
from client.avatars.crowd import Crowd
from client.avatars.interp import State
from client.avatars.tags import NameTags
from client.halls.assets import AVATAR_FAR_FILE, AVATAR_FILE, AssetMissing, load_font, load_model
from client.halls.booth_labels import BoothLabels
from client.halls.exhibition import MESSAGES as EXHIBITION_MESSAGES
from client.halls.exhibition import Exhibition
from client.halls.exhibition import add_arguments as add_exhibition_arguments
from client.halls.hall_view import HallView
from client.journal.journal import JOURNAL_TYPES, Journal
from client.journal.journal import add_arguments as add_journal_arguments
from client.looks import choice
from client.looks.panel import AppearancePanel
from client.match.match import MATCH_TYPES, Match
from client.match.match import add_arguments as add_match_arguments
from client.match.room_view import MeetingRoomView
from client.net.connection import Link, NetClient
from client.offscreen import Goal, node_point, parse_size, parse_walk, save_png, screen_box, screen_point
from client.player.camera import ChaseCamera
from client.player.controls import Controls
from client.player.walker import IDLE, SEATED, MoveClock, Player
from client.social.model import MESSAGES as SOCIAL_MESSAGES
from client.social.social import Social
from client.social.social import add_arguments as add_social_arguments
from client.stage.conference import STAGE_TYPES, Conference
from client.stage.conference import add_arguments as add_stage_arguments
from client.ui.hud import Hud
from client.ui.quit_confirm import QuitConfirm
from protocol import messages
from world.collision import Walkable
from world.meeting_room import is_meeting_room, meeting_hall
from world.scene import Hall, SceneError, instance_name, load_halls

log = logging.getLogger("pavilion.client")

DEFAULT_SERVER = "ws://127.0.0.1:8765"
TITLE = "云展馆 Cloud Pavilion"
SKY = (0.78, 0.83, 0.9)
OFFSCREEN_FPS = 30  # offscreen runs are paced in real time and leave CPU to the others
MAX_DT = 0.1  # s: a stalled frame does not become a long jump
EXIT_OK, EXIT_CANNOT_START, EXIT_TIMEOUT = 0, 2, 3


def add_arguments(parser: argparse.ArgumentParser, with_server: bool = True) -> None:
    """The client's command-line options (main.py's ``client`` command and default job)."""
    if with_server:
        parser.add_argument("--server", default=DEFAULT_SERVER, help=f"server WebSocket URL (default {DEFAULT_SERVER})")
    parser.add_argument("--name", default="访客", help="your name, shown to others above your avatar (1-24 characters)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the HUD and server messages")
    parser.add_argument("--hall", default="lobby", help="hall id to enter (default lobby)")
    parser.add_argument("--color", help="avatar colour '#rrggbb' (default: your chosen one, or picked from your name)")
    parser.add_argument("--outfit", choices=messages.OUTFITS, help="outfit for this visit (default: your chosen one)")
    parser.add_argument("--hat", choices=messages.HATS, help="hat or badge for this visit (default: your chosen one)")
    parser.add_argument("--look-file", type=Path, default=choice.DEFAULT_FILE,
                        help=f"where the look chosen in the F7 panel is kept (default {choice.DEFAULT_FILE})")
    parser.add_argument("--size", default="960x600", help="window or image size WIDTHxHEIGHT (default 960x600)")
    parser.add_argument("--renderer", choices=render.RENDERERS, default="auto",
                        help="auto: OpenGL window, or software 'tiny' when --offscreen; egl: headless OpenGL")
    off = parser.add_argument_group("offscreen runs (tests, screenshots)")
    off.add_argument("--offscreen", action="store_true", help="render without a window and exit when done")
    off.add_argument("--frames", type=int, default=30, help="frames to draw after entering the hall (default 30)")
    off.add_argument("--max-fps", type=float, default=OFFSCREEN_FPS,
                     help=f"offscreen frame pacing (default {OFFSCREEN_FPS}); 0 = unpaced, to measure frame cost")
    off.add_argument("--walk", help="waypoints 'x,y;x,y' (metres) to walk through at walking speed; the run "
                                    "then stays online until --frames are drawn (--walk=-2,3 for a leading minus)")
    off.add_argument("--wait-visitors", type=int, default=0, metavar="K",
                     help="keep drawing until K other visitors are shown (walking or not)")
    off.add_argument("--wait-still", action="store_true",
                     help="with --wait-visitors: also wait until none of them moves on screen")
    off.add_argument("--timeout", type=float, default=30.0, help="give up after this many seconds (exit 3)")
    off.add_argument("--screenshot", help="write the final frame to this PNG file")
    off.add_argument("--report", help="write a JSON report (you, status, other avatars with pixel positions)")
    off.add_argument("--appearance", action="store_true", help="open the appearance panel (F7) once in the hall")
    add_journal_arguments(parser)
    add_match_arguments(parser)
    add_exhibition_arguments(parser, off)
    add_stage_arguments(parser)
    add_social_arguments(parser, off)


def run(args: argparse.Namespace) -> int:
    """Run the client until the window closes (or an offscreen run is done); return the exit code."""
    try:
        size = parse_size(args.size)
        walk = parse_walk(args.walk) if args.walk else []
        messages.string(messages.MAX_NAME_CHARS, 1)(args.name, "--name")  # the server would refuse the hello
        if args.color:
            messages.colour(args.color, "--color")
        check_server_url(args.server)
        halls = load_halls()
        if args.hall not in halls:
            raise ValueError(f"no hall {args.hall!r}; known halls: {', '.join(halls)}")
    except (ValueError, SceneError) as exc:
        log.error("%s", exc)
        return EXIT_CANNOT_START
    mode = render.choose(args.renderer, args.offscreen)
    render.configure(mode, size, TITLE)
    try:
        app = PavilionApp(args, mode, halls[args.hall], walk, halls)
    except (AssetMissing, CannotStart) as exc:
        log.error("%s", exc)
        return EXIT_CANNOT_START
    try:
        return app.main()
    finally:
        app.close()


def check_server_url(url: str) -> None:
    """A malformed ``--server`` is a clear error at once, not a reconnect loop that can never succeed."""
    try:
        parse_uri(url)
    except (InvalidURI, ValueError) as exc:
        raise ValueError(f"--server {url!r} is not a WebSocket URL like ws://host:8765 ({exc})") from None


def frame_stats(seconds: list[float]) -> dict | None:
    """Mean and percentiles of frame times in ms (the first frames, which build caches, are left out)."""
    times = sorted(seconds[len(seconds) // 10:])
    if not times:
        return None

    def ms(q: float) -> float:
        return round(times[min(len(times) - 1, int(q * len(times)))] * 1000, 2)

    return {"mean": round(sum(times) / len(times) * 1000, 2), "p50": ms(0.5), "p95": ms(0.95), "n": len(times)}


class CannotStart(RuntimeError):
    """The client cannot run here; ``str()`` says why."""


class PavilionApp(ShowBase):
    def __init__(self, args: argparse.Namespace, mode: render.RenderMode, hall: Hall, walk: list,
                 halls: dict[str, Hall] | None = None):
        try:
            ShowBase.__init__(self)
        except Exception as exc:  # ShowBase raises a bare Exception when no window opens
            raise CannotStart(f"cannot open a window ({exc}); use --offscreen without a display") from None
        self.args, self.mode, self.hall, self.walk = args, mode, hall, list(walk)
        self.lang = args.lang
        self.net: NetClient | None = None
        self.disableMouse()
        self.setBackgroundColor(render.colour(SKY))
        self.camLens.setNearFar(0.1, 300)
        self.camLens.setFov(75)
        font = self.font = load_font(self.loader)
        TextNode.setDefaultFont(font)
        render.init_shading()
        render.add_lights(self.render)
        self.halls = halls or {hall.id: hall}
        self.hall_view = HallView(self.loader, hall, self.render, self._hall_names())
        self.avatar_model = load_model(self.loader, AVATAR_FILE)
        self.avatar_far = load_model(self.loader, AVATAR_FAR_FILE)
        for model in (self.avatar_model, self.avatar_far):
            render.prepare_model(model, colour_vertices=True)
        stored = choice.load(args.look_file, args.name)
        self.look = stored.with_(color=(args.color or stored.color).lower(), outfit=args.outfit or stored.outfit,
                                 hat=args.hat or stored.hat)
        self.me = AvatarView(self.avatar_model, self.render, {**self.look.fields(), "model": "avatar"})
        self.me.root.hide()
        spawn = hall.spawns[0]
        self.player = Player(Walkable(hall), *spawn.pos, spawn.yaw)
        self.moves = MoveClock()
        self.crowd = Crowd(self._make_remote)
        self.tags = NameTags(self, AVATAR_HEIGHT)
        self.booth_labels = BoothLabels(self)
        self.booth_labels.set_hall(hall)
        self.chase = ChaseCamera(self.camera, hall)
        self.hud = Hud(self, font)
        self.my_id: int | None = None
        self.tick_hz = 10  # until the server's welcome says otherwise
        self.joined = False
        self.instance = 1  # which instance of a full hall (hall_state.instance)
        self.frames = 0
        self.frame_s: list[float] = []  # offscreen: time of each frame after joining
        self.was_online = False
        self.quit_confirm = QuitConfirm(self.aspect2d, font, self.taskMgr.stop)
        self.controls = None if mode.offscreen else self._bind_keys()
        self.journal = Journal(self, font, args)
        self.net = NetClient(args.server, args.name, args.lang, hall.id, None, self.journal.player)
        self.net.restyle(self.look.fields())
        self.net.start()
        self.appearance = AppearancePanel(self.aspect2d, font, self.look, self._restyle)
        self.expo = Exhibition(self, self.halls, font, args, self.net.send)
        self.expo.enter_hall(hall)
        self.match = Match(self, font, args)
        self.expo.exhibitor.panel.figures = self.match.figures  # F4's 展位数据 page
        self.match.enter_hall(hall)
        self.conference = Conference(self, mode.offscreen, font, args)
        self.expo.directory.sessions = self.conference.model.session_line  # the session on now, by its room
        self.conference.enter_hall(hall, self.hall_view.root)
        self.social = Social(self, font, args, self.net.send)
        self.social.profile.extra = self.match.offer_form  # 发布资源 in the profile (企业 / 基金会)
        self.expo.busy = lambda: self.social.typing
        if not mode.offscreen:
            self.accept("mouse1", self._click)
        self.taskMgr.add(self._frame, "pavilion-frame")

    def _hall_names(self) -> dict:
        return {hid: h.name for hid, h in self.halls.items()}

    def _enter_hall(self, hall: Hall) -> None:
        """The server moved us to another hall (portal, teleport, directory, a 洽谈室): swap the scenery."""
        self.hall_view.root.removeNode()
        self.hall = hall
        private = is_meeting_room(hall.id)
        self.hall_view = (MeetingRoomView(hall, self.render, self.font) if private else
                          HallView(self.loader, hall, self.render, self._hall_names()))
        self.player.walkable = Walkable(hall)
        self.chase = ChaseCamera(self.camera, hall)
        self.net.hall = "lobby" if private else hall.id  # a reconnect rejoins this hall (a 洽谈室: the lobby)
        self.booth_labels.set_hall(hall)
        self.expo.enter_hall(hall)
        self.match.enter_hall(hall)
        self.conference.enter_hall(hall, self.hall_view.root)

    def _restyle(self, look: choice.Look) -> None:
        """The visitor picked a new look in the panel: remember it, greet with it, tell the server now."""
        self.look = look
        choice.save(self.args.look_file, look)
        self.net.restyle(look.fields())
        self.net.send("look_set", **look.fields())

    def _on_look(self, fields: dict) -> None:
        """The server's word on someone's look (ours included: the confirmation of a change)."""
        view = self.me if fields["id"] == self.my_id else self.crowd.views.get(fields["id"])
        if view is not None:
            view.set_look(fields["look"])

    def _escape(self) -> None:
        """Esc closes the top panel (the quit question, a name card, the chat, the journal, a conference panel,
        a booth panel, the directory); with none open it asks before leaving the fair."""
        if self.quit_confirm.is_open:
            self.quit_confirm.close()
        elif self.appearance.is_open:
            self.appearance.close()
        elif not self.social.escape() and not self.journal.escape() and not self.conference.escape() \
                and not self.match.escape() and not self.expo.escape():
            self.quit_confirm.open(self.lang)

    def _click(self) -> None:
        """A click in the scene: an avatar opens its name card, a booth its panel."""
        if not (self.expo.modal or self.social.modal) and not self.social.click():
            self.expo.click()

    def _bind_keys(self) -> Controls:
        self.accept("escape", self._escape)
        self.accept("enter", self.quit_confirm.enter)
        self.accept("f1", self._toggle_lang)
        self.accept("f7", lambda: self.appearance.toggle(self.lang))
        self.win.setCloseRequestEvent("pavilion-window-close")
        self.accept("pavilion-window-close", self.taskMgr.stop)
        return Controls(self)

    def _toggle_lang(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"

    def _make_remote(self, info: dict) -> AvatarView:
        return AvatarView(self.avatar_model, self.render, info["look"], info["name"],
                          far=self.avatar_far)

    # --- per frame -----------------------------------------------------------
    def _frame(self, task):
        now = time.monotonic()
        dt = min(ClockObject.getGlobalClock().getDt(), MAX_DT)
        self._receive()
        active = self._steer(dt) if self.joined else False
        if self.joined and self.net.status.link is Link.ONLINE and self.moves.due(now, active):
            p, seq = self.player, self.moves.next_seq(now)
            self.net.send("move", seq=seq, pos=[p.x, p.y, 0.0], yaw=p.yaw, anim=p.anim)
            p.sent(seq)
        self.me.place(State(now, self.player.x, self.player.y, 0.0, self.player.yaw,
                            seated=self.player.anim == SEATED))
        self.crowd.update(now)
        for view in self.crowd.views.values():
            view.set_near(view.root.getDistance(self.camera) < FAR_MODEL_FROM)
        self.chase.update(self.player.x, self.player.y, self.player.yaw, dt)
        self.tags.update(self.crowd.views)  # after the camera moved: the boxes are those of this frame
        hinted = self.expo.highlight.booth
        signs = [screen_box(self, self.hall_view.face_corners(face, self.render))
                 for face in self.hall_view.sign_faces.values()]  # the hall's own signs stay in view
        signs.append(self.expo.minimap.pixel_box(self))
        self.booth_labels.update(self.lang, hinted.id if hinted else None,
                                 [p.box for p in self.tags.drawn] + [box for box in signs if box is not None])
        self.expo.update(self.lang, self.player.x, self.player.y, self.player.yaw,
                         [(st.x, st.y) for st in self.crowd.drawn.values()])
        visitors = len(self.crowd) + 1 if self.joined else None
        self.hud.show(self.lang, self.net.status, instance_name(self.hall.name, self.instance), visitors,
                      self.net.last_problem)
        self.journal.update(now, dt, self.lang, self.hall)
        self.match.update(self.lang)
        self.conference.update(self.lang)
        anchors = {vid: view.root for vid, view in self.crowd.views.items()}
        if self.my_id is not None:
            anchors[self.my_id] = self.me.root
        self.social.update(self.lang, anchors)
        if self.joined:
            self.frames += 1
        return task.cont

    def _receive(self) -> None:
        online = self.net.status.link is Link.ONLINE
        if self.was_online and not online:  # whoever we saw is stale now; a full snapshot follows the rejoin
            self.crowd.reset(self.tick_hz)
            self.joined = False
            self.expo.link_lost()
        self.was_online = online
        for t, fields, arrival in self.net.poll():
            if t == "welcome":
                self.my_id, self.tick_hz = fields["id"], fields["tick_hz"]
                self.crowd.reset(self.tick_hz)
                self.journal.on_welcome()
                self.conference.on_welcome()
                self.social.on_welcome()
                self.match.on_welcome()  # cut off in a 洽谈室: back into it once joined
            elif t == "hall_state":
                self.instance = fields.get("instance", 1)  # a full hall's n-th instance: "慈善文化科普馆 · n"
                if fields["hall"] != self.hall.id and fields["hall"] in self.halls:
                    self._enter_hall(self.halls[fields["hall"]])
                elif fields["hall"] != self.hall.id and is_meeting_room(fields["hall"]):
                    self._enter_hall(meeting_hall(fields["hall"].removeprefix("meet-")))
                # a reconnect rejoins where we are (a 洽谈室: the lobby), also after a redirect to a 洽谈室 that
                # turned us away to the hall we were already in
                self.net.hall = "lobby" if is_meeting_room(fields["hall"]) else fields["hall"]
                you = fields["you"]
                self.player.place(you["pos"][0], you["pos"][1], you["yaw"])
                self.joined = True
                log.info("joined %s as visitor %s at (%.2f, %.2f)", fields["hall"], self.my_id, self.player.x,
                         self.player.y)
                self.me.root.show()
                if self.args.appearance and not self.appearance.is_open:
                    self.appearance.open(self.lang)
                self.expo.on_joined()
                self.match.on_joined(self.hall)
                self.social.on_joined()
            elif t == "snap":
                self.crowd.on_snap(fields, arrival)
                self.player.acknowledge(fields["ack"])
            elif t == "look":
                self._on_look(fields)
            elif t == "correct":
                self.player.reconcile(fields["seq"], fields["pos"][0], fields["pos"][1], fields["yaw"])
            elif t in EXHIBITION_MESSAGES:
                self.expo.on_message(t, fields)
            elif t in JOURNAL_TYPES:
                self.journal.on_message(t, fields)
            elif t in MATCH_TYPES:
                self.match.on_message(t, fields)
            elif t in STAGE_TYPES:
                self.conference.on_message(t, fields)
                if t == "stage_schedule":
                    self.expo.directory.refresh()
            elif t in SOCIAL_MESSAGES:
                self.social.on_message(t, fields)
            elif t == "error":
                self.conference.on_error(fields)
                self.match.on_error(fields)  # kept out of a 洽谈室: 我的洽谈 says why

    def _steer(self, dt: float) -> bool:
        """Move the avatar by the walk script or the keyboard and mouse; True while it moves or turns."""
        if self.walk:
            if self.player.walk_to(*self.walk[0], dt):
                self.walk.pop(0)
            if not self.walk:
                self.player.anim = IDLE
            return bool(self.walk)
        if self.controls is None or self.expo.modal or self.journal.typing or self.quit_confirm.is_open \
                or self.conference.typing or self.social.typing or self.social.modal:
            return False
        turn, tilt = self.controls.mouse_delta()
        self.chase.tilt(tilt)
        moved = self.player.step(self.controls.intent(), dt)
        if turn:
            self.player.yaw = (self.player.yaw + turn) % 360.0
        return moved or bool(turn)

    # --- running and stopping ------------------------------------------------
    def main(self) -> int:
        if not self.mode.offscreen:
            for sig in (signal.SIGTERM, signal.SIGINT):  # leave through close(), which says goodbye to the server
                signal.signal(sig, lambda *_: self.taskMgr.stop())
            self.run()
            return EXIT_OK
        return self._run_offscreen()

    def _run_offscreen(self) -> int:
        args = self.args
        goal = Goal(args.frames, args.wait_visitors, args.timeout, args.wait_still)
        shown_since: float | None = None  # when at least wait_visitors others were first drawn
        if args.max_fps > 0:  # paced like a real display; 0 runs flat out, for measuring frame cost
            ClockObject.getGlobalClock().setMode(ClockObject.MLimited)
            ClockObject.getGlobalClock().setFrameRate(args.max_fps)
        interrupted = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: interrupted.append(True))
        deadline = time.monotonic() + goal.timeout
        code = EXIT_TIMEOUT
        while not interrupted and time.monotonic() < deadline:
            started = time.perf_counter()
            self.taskMgr.step()
            if self.joined:
                self.frame_s.append(time.perf_counter() - started)
            now, shown = time.monotonic(), len(self.crowd.drawn)
            shown_since = None if shown < goal.wait_visitors else (shown_since or now)
            shown_for = now - shown_since if shown_since is not None else 0.0
            if self.joined and goal.met(self.frames, not self.walk, shown, shown_for, self.crowd.still_for(now)) \
                    and self.expo.settled() and self.journal.settled() and self.match.settled() \
                    and self.conference.settled() and self.social.settled():
                code = EXIT_OK
                break
        if code != EXIT_OK:
            log.warning("offscreen run stopped before its goals: %d frames, %d visitors shown, status %s",
                        self.frames, len(self.crowd.drawn), self.net.status.link.value)
        if args.screenshot:
            save_png(self, args.screenshot)
        if args.report:
            Path(args.report).write_text(json.dumps(self.report(), ensure_ascii=False, indent=1), encoding="utf-8")
        return code

    def report(self) -> dict:
        """What an offscreen run saw, for tests: you, and every other avatar with its pixel positions."""
        avatars = []
        for vid, view in self.crowd.views.items():
            x, y, z = node_point(self, view.root)
            avatars.append({
                "id": vid,
                "name": self.crowd.names[vid],
                "pos": [round(x, 3), round(y, 3), round(z, 3)],
                "yaw": round(view.root.getH() % 360.0, 2),
                "seated": view.seated,
                "screen": screen_point(self, (x, y, z)),
                "head_screen": screen_point(self, (x, y, z + AVATAR_HEIGHT)),
                "tag_screen": screen_point(self, node_point(self, view.tag)),
                "look": view.look,
                "restyled": view.restyled,
            })
        return {
            "id": self.my_id,
            "name": self.args.name,
            "hall": self.hall.id,
            "status": self.net.status.link.value,
            "pos": [round(self.player.x, 3), round(self.player.y, 3), 0.0],
            "yaw": round(self.player.yaw, 2),
            "look": self.me.look,
            "appearance_open": self.appearance.is_open,
            "screen": screen_point(self, (self.player.x, self.player.y, 0.0)),
            "head_screen": screen_point(self, (self.player.x, self.player.y, AVATAR_HEIGHT)),
            "frames": self.frames,
            "frame_ms": frame_stats(self.frame_s),
            "image_size": [self.win.getXSize(), self.win.getYSize()],
            "avatars": avatars,
            "tags": self.tags.report(self.crowd.names),
            "booth_labels": self.booth_labels.report(),
            "signs": [{"id": sid, "box": screen_box(self, self.hall_view.face_corners(face, self.render))}
                      for sid, face in self.hall_view.sign_faces.items()],
            "booths": self.hall_view.booth_boxes(self),
            **self.expo.report(),
            **self.match.report(),
            "journal": self.journal.report(),
            "stage": self.conference.report(),
            "social": self.social.report(),
        }

    def close(self) -> None:
        """Leave cleanly: close the WebSocket, then the window."""
        if self.net is not None:
            self.net.stop()
        if hasattr(self, "conference"):
            self.conference.close()
        self.destroy()
