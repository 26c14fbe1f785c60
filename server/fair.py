"""The fair's server, assembled: which features the core routes to, in one list.

Reading order for a newcomer: ``main.py serve`` -> :mod:`server.gateway.app`
(sockets, I/O) -> :func:`build_core` (this list) -> each feature's ``routes()``
(message type -> handler).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from server.core import ServerCore
from server.dispatch import Feature
from server.exhibits.content import ContentService
from server.exhibits.handlers import ExhibitsFeature
from server.guard.admission import Admission
from server.looks.feature import LooksFeature, roles
from server.match.feature import MatchFeature, MatchSetup
from server.match.social_link import SocialThreads
from server.puzzles.engine import PuzzleEngine
from server.puzzles.feature import PuzzlesFeature
from server.rooms.feature import RoomsFeature
from server.rooms.instances import party_key
from server.social.feature import SocialFeature
from server.social.staff import DeskStaff
from server.stage.feature import StageFeature
from server.uploads.desk import UploadDesk, UploadsFeature
from world.scene import Hall
from world.schedule import load_programme


def build_core(halls: dict[str, Hall], tick_hz: int = 10, view_radius: float = 24.0, max_view: int = 50,
               new_token: Callable[[], str] = lambda: secrets.token_urlsafe(18),
               puzzles: PuzzleEngine | None = None, content: ContentService | None = None,
               uploads: UploadDesk | None = None, rooms: RoomsFeature | None = None,
               admission: Admission | None = None, match: MatchSetup | None = None,
               stage: Callable[[RoomsFeature], StageFeature] | None = None,
               social: SocialFeature | None = None, member: str = "local",
               extra: Callable[[RoomsFeature], tuple[Feature, ...]] | None = None,
               cluster: Callable[[RoomsFeature], Feature] | None = None,
               hall_cap: int | None = None) -> ServerCore:
    """A core with every feature. ``rooms``: a replacement rooms feature (the benchmark's naive baseline);
    ``stage``: makes the conference feature from the rooms (default: the seed programme, no streams);
    ``member``: this process's name in a cluster; ``extra``: makes the cluster's own features from the rooms
    (server/cluster/member.py); ``cluster``: makes the hall leases' feature from the rooms (halls hosted by one
    member each, server/cluster/feature.py); ``hall_cap``: visitors per room before a hall is split into
    instances (server/rooms/instances.py)."""
    content = content or ContentService(halls)
    rooms = rooms or RoomsFeature(halls, view_radius, max_view, cap=hall_cap)
    puzzles = puzzles or PuzzleEngine({}, b"")
    rooms.companions = lambda s: puzzles.companions(s.cid)  # a party shares an instance of a full hall
    rooms.party = lambda s: party_key(puzzles.team_of(s.cid))  # ... on any member of a cluster
    social = social or SocialFeature(halls, None, DeskStaff(uploads))
    matching = MatchFeature.wired(match or MatchSetup.empty(), halls, rooms, uploads, SocialThreads(social))
    social.connect(noticed=matching.noticed, describe=matching.subject_title)  # favourites and messages: figures
    uploading = UploadsFeature(uploads, content, rooms, on_show=matching.booth_shown)
    looks = LooksFeature(roles(DeskStaff(uploads).booths_of, social.is_organiser))
    social.on_login = uploading.on_login = looks.logins_changed  # a login is the badge's event, no polling
    features = [
        rooms,
        ExhibitsFeature(content, rooms, on_open=matching.kiosk_opened),
        uploading,
        PuzzlesFeature(puzzles),
        social,  # before matching: a visitor's profile exists when matching hears of them (greeted)
        matching,
        stage(rooms) if stage else StageFeature(load_programme(rooms=halls), rooms),
        *(extra(rooms) if extra else ()),
    ]
    features.append(looks)
    leases = cluster(rooms) if cluster else None
    if leases is not None:
        features.append(leases)
    return ServerCore(features, tick_hz=tick_hz, new_token=new_token, admission=admission, member=member,
                      seats=leases)
