"""Error codes sent in ``error`` messages, each with a zh and an en text.

Codes are stable strings a program can match; texts are for the visitor and
are sent in the visitor's language.
"""

from __future__ import annotations

from enum import StrEnum


class Close:
    """WebSocket close codes the server uses (4000-4999 are ours)."""

    GOING_AWAY = 1001
    POLICY = 1008
    VERSION = 4000
    TOO_MANY_ERRORS = 4001
    RATE_LIMITED = 4002
    TOO_SLOW = 4003
    # hardening (server/guard): the fair or the address is full; come back later
    TRY_LATER = 1013
    # social (server/social/)
    KICKED = 4004
    BANNED = 4005


class ErrorCode(StrEnum):
    BAD_FRAME = "bad_frame"
    BAD_MESSAGE = "bad_message"
    UNKNOWN_TYPE = "unknown_type"
    VERSION_MISMATCH = "version_mismatch"
    FRAME_TOO_LARGE = "frame_too_large"
    HELLO_REQUIRED = "hello_required"
    ALREADY_HELLO = "already_hello"
    UNKNOWN_HALL = "unknown_hall"
    NOT_IN_HALL = "not_in_hall"
    HALL_FULL = "hall_full"
    RATE_LIMITED = "rate_limited"
    TOO_MANY_ERRORS = "too_many_errors"
    SERVER_SHUTDOWN = "server_shutdown"
    TOO_SLOW = "too_slow"
    UNKNOWN_BOOTH = "unknown_booth"
    UNKNOWN_BLOB = "unknown_blob"
    PLAYER_REQUIRED = "player_required"
    UNKNOWN_PUZZLE = "unknown_puzzle"
    PUZZLE_STEP_CLOSED = "puzzle_step_closed"
    PUZZLE_RATE_LIMITED = "puzzle_rate_limited"
    NO_MORE_HINTS = "no_more_hints"
    NO_PICTURE = "no_picture"
    TEAM_FULL = "team_full"
    BAD_TOKEN = "bad_token"
    EXHIBITOR_REQUIRED = "exhibitor_required"
    NOT_YOUR_BOOTH = "not_your_booth"
    UPLOAD_BUSY = "upload_busy"
    UPLOAD_QUOTA = "upload_quota"
    UPLOAD_TOO_LARGE = "upload_too_large"
    UNKNOWN_UPLOAD = "unknown_upload"
    UPLOAD_OFFSET = "upload_offset"
    UPLOAD_INCOMPLETE = "upload_incomplete"
    # hardening (server/guard)
    FAIR_FULL = "fair_full"
    ADDRESS_FULL = "address_full"
    SERVER_BUSY = "server_busy"
    BAD_TEAM = "bad_team"
    TEAM_UNKNOWN = "team_unknown"
    # social (server/social/)
    IDENTITY_REQUIRED = "identity_required"
    MESSAGE_TOO_LONG = "message_too_long"
    TEXT_TOO_LONG = "text_too_long"
    EMPTY_MESSAGE = "empty_message"
    CHAT_TOO_FAST = "chat_too_fast"
    CHANNEL_BUSY = "channel_busy"
    MUTED = "muted"
    BANNED = "banned"
    KICKED = "kicked"
    UNKNOWN_PERSON = "unknown_person"
    UNKNOWN_CONVERSATION = "unknown_conversation"
    BAD_PROFILE = "bad_profile"
    ORGANISER_REQUIRED = "organiser_required"

    # 云对接 matchmaking (server/match)
    MATCH_BAD_SLOT = "match_bad_slot"
    MATCH_SLOT_PAST = "match_slot_past"
    MATCH_SLOT_UNAVAILABLE = "match_slot_unavailable"
    MATCH_SLOT_TAKEN = "match_slot_taken"
    MATCH_SELF = "match_self"
    MATCH_UNKNOWN_MEETING = "match_unknown_meeting"
    MATCH_NOT_YOUR_TURN = "match_not_your_turn"
    MATCH_TOO_MANY_PENDING = "match_too_many_pending"
    MATCH_UNKNOWN_NEED = "match_unknown_need"
    MATCH_UNKNOWN_PARTY = "match_unknown_party"
    MATCH_BAD_AMOUNT = "match_bad_amount"
    MATCH_UNKNOWN_INTENT = "match_unknown_intent"
    MATCH_OWN_INTENT = "match_own_intent"
    MATCH_ROOM_CLOSED = "match_room_closed"
    MATCH_PROFILE_REQUIRED = "match_profile_required"
    # stage (云会议)
    UNKNOWN_TALK = "unknown_talk"
    UNKNOWN_QUESTION = "unknown_question"
    QUESTION_LIMIT = "question_limit"
    MODERATOR_REQUIRED = "moderator_required"
    NOT_IN_ROOM = "not_in_room"

    # the house (sans-I/O upload desk): the disk or the store failed under an upload
    UPLOAD_FAILED = "upload_failed"
    # stage: audience seats (云会议, server/stage/seats.py)
    SEAT_TAKEN = "seat_taken"
    SEAT_TOO_FAR = "seat_too_far"
    UNKNOWN_SEAT = "unknown_seat"
    # cluster membership (server/cluster/): seats, redirects, a member cut off from Redis or PostgreSQL
    SEAT_INVALID = "seat_invalid"
    SEAT_EXPIRED = "seat_expired"
    SEAT_USED = "seat_used"
    SEAT_NOT_YOURS = "seat_not_yours"
    HALL_MOVING = "hall_moving"
    CLUSTER_UNAVAILABLE = "cluster_unavailable"
    # 云对接: the store could not save a meeting change (not acknowledged, nothing changed)
    MATCH_NOT_SAVED = "match_not_saved"
    # cluster placement: this visitor's identity is now worn on another member
    IDENTITY_ELSEWHERE = "identity_elsewhere"


_TEXTS: dict[ErrorCode, tuple[str, str]] = {
    ErrorCode.BAD_FRAME: ("消息无法解析（不是有效的 msgpack）", "the frame is not valid msgpack"),
    ErrorCode.BAD_MESSAGE: ("消息格式错误", "the message is malformed"),
    ErrorCode.UNKNOWN_TYPE: ("未知的消息类型", "unknown message type"),
    ErrorCode.VERSION_MISMATCH: ("协议版本不兼容，请更新客户端", "protocol version mismatch, please update the client"),
    ErrorCode.FRAME_TOO_LARGE: ("消息过大", "the frame is too large"),
    ErrorCode.HELLO_REQUIRED: ("请先发送 hello 完成握手", "send hello first"),
    ErrorCode.ALREADY_HELLO: ("已经完成握手，不能重复发送 hello", "hello was already received"),
    ErrorCode.UNKNOWN_HALL: ("没有这个展馆", "no such hall"),
    ErrorCode.NOT_IN_HALL: ("请先进入展馆", "join a hall first"),
    ErrorCode.HALL_FULL: ("展馆人数已满，请稍后再试", "the hall is full, try again later"),
    ErrorCode.RATE_LIMITED: ("操作过于频繁，请稍后再试", "too many messages, slow down"),
    ErrorCode.TOO_MANY_ERRORS: ("错误消息过多，连接已关闭", "too many bad messages, closing"),
    ErrorCode.SERVER_SHUTDOWN: ("服务器正在关闭", "the server is shutting down"),
    ErrorCode.TOO_SLOW: ("网络过慢，连接已断开", "the connection is too slow to keep up"),
    ErrorCode.UNKNOWN_BOOTH: ("没有这个展位，或展位暂无内容", "no such booth, or it has no content yet"),
    ErrorCode.UNKNOWN_BLOB: ("没有这个文件", "no such file"),
    ErrorCode.PLAYER_REQUIRED: ("解密游戏需要玩家身份，请更新客户端",
                                "puzzles need a player id in hello; update the client"),
    ErrorCode.UNKNOWN_PUZZLE: ("没有这个解密游戏", "no such puzzle"),
    ErrorCode.PUZZLE_STEP_CLOSED: ("这一步还没开放，或已经解开了", "that step is not open: not reached yet, or solved"),
    ErrorCode.PUZZLE_RATE_LIMITED: ("尝试太频繁了：每一步每分钟最多 5 次，请稍后再试",
                                    "too many tries: at most 5 per step a minute, please wait"),
    ErrorCode.NO_MORE_HINTS: ("这一步的提示已经用完了", "no more hints for this step"),
    ErrorCode.NO_PICTURE: ("这一步没有图片线索", "this step has no picture clue"),
    ErrorCode.TEAM_FULL: ("这支队伍已满（最多 16 人）", "that team is full (16 members at most)"),
    ErrorCode.BAD_TOKEN: ("展商令牌无效或已被撤销", "the exhibitor token is invalid or was revoked"),
    ErrorCode.EXHIBITOR_REQUIRED: ("请先用展商令牌登录", "log in with an exhibitor token first"),
    ErrorCode.NOT_YOUR_BOOTH: ("这个令牌不能修改这个展位", "this token may not change that booth"),
    ErrorCode.UPLOAD_BUSY: ("这个展位正在上传另一个文件，请稍后再试",
                            "another upload to this booth is in progress, try again later"),
    ErrorCode.UPLOAD_QUOTA: ("上传空间已用完，请联系主办方", "your upload quota is used up; contact the organizer"),
    ErrorCode.UPLOAD_TOO_LARGE: ("文件超过这一类上传的大小上限", "the file is over the size limit for this kind"),
    ErrorCode.UNKNOWN_UPLOAD: ("没有这个上传，或它不属于这个连接", "no such upload on this connection"),
    ErrorCode.UPLOAD_OFFSET: ("数据块位置不对，请从确认的位置继续",
                              "chunk at the wrong offset; resume from the acked one"),
    ErrorCode.UPLOAD_INCOMPLETE: ("文件还没传完", "the file is not complete yet"),
    # hardening (server/guard)
    ErrorCode.FAIR_FULL: ("展会已满，请稍后再来", "the fair is full, please come back later"),
    ErrorCode.ADDRESS_FULL: ("来自你所在网络的连接太多了，请稍后再试",
                             "too many connections from your network, try again later"),
    ErrorCode.SERVER_BUSY: ("服务器正忙，请稍后再试", "the server is busy, try again in a moment"),
    ErrorCode.BAD_TEAM: ("队伍邀请码无效：请用“创建队伍”得到的邀请码",
                         "not a valid team code: use the invite code from \"create team\""),
    ErrorCode.TEAM_UNKNOWN: ("没有这支队伍，请检查邀请码", "no team has that invite code; check it"),

    # 云对接 matchmaking (server/match)
    ErrorCode.MATCH_BAD_SLOT: ("时段无效：须为整点或半点开始，且数量不超过 96 个",
                               "invalid slot: it must start on the hour or half hour (96 at most)"),
    ErrorCode.MATCH_SLOT_PAST: ("这个时段已经过去了，请选择以后的时段", "that slot is in the past; pick a later one"),
    ErrorCode.MATCH_SLOT_UNAVAILABLE: ("对方这个时段不开放洽谈", "the other side is not available at that time"),
    ErrorCode.MATCH_SLOT_TAKEN: ("这个时段已被预约，请换一个时段", "that slot is already booked; pick another"),
    ErrorCode.MATCH_SELF: ("不能和自己预约洽谈", "you cannot book a meeting with yourself"),
    ErrorCode.MATCH_UNKNOWN_MEETING: ("没有这个洽谈，或你不是参与方", "no such meeting, or you are not part of it"),
    ErrorCode.MATCH_NOT_YOUR_TURN: ("现在轮到对方回复，或这个洽谈已结束",
                                    "it is the other side's turn, or the meeting is closed"),
    ErrorCode.MATCH_TOO_MANY_PENDING: ("待回复的洽谈请求太多（最多 20 个），请等对方回复",
                                       "too many open meeting requests (20 at most); wait for answers"),
    ErrorCode.MATCH_UNKNOWN_NEED: ("没有这个需求或资源", "no such need or offer"),
    ErrorCode.MATCH_UNKNOWN_PARTY: ("没有这个对接方", "no such participant"),
    ErrorCode.MATCH_BAD_AMOUNT: ("金额无效：须为 0 到 100 亿之间的整数元",
                                 "invalid amount: a whole number of yuan from 0 to 10 billion"),
    ErrorCode.MATCH_UNKNOWN_INTENT: ("没有这个对接意向，或你不是参与方", "no such intent, or you are not part of it"),
    ErrorCode.MATCH_OWN_INTENT: ("意向须由对方确认，不能确认自己提出的意向",
                                 "the other side must confirm an intent; you cannot confirm your own"),
    ErrorCode.MATCH_ROOM_CLOSED: ("只有洽谈双方能在预约时段进入洽谈室",
                                  "only the meeting's two sides may enter its room, at the booked time"),
    ErrorCode.MATCH_PROFILE_REQUIRED: ("请先设置身份（个人、企业、基金会等）",
                                       "set up your profile (role, region, interests) first"),
    # stage (云会议)
    ErrorCode.UNKNOWN_TALK: ("日程里没有这场会议", "no such session in the programme"),
    ErrorCode.UNKNOWN_QUESTION: ("没有这个提问", "no such question"),
    ErrorCode.QUESTION_LIMIT: ("提问太多了：每场最多 5 个待回答的问题，或提问区已满",
                               "too many questions: at most 5 open ones each per session, or the board is full"),
    ErrorCode.MODERATOR_REQUIRED: ("只有主持人可以标记已回答，请先用组织者令牌登录",
                                   "only a moderator may mark answers; log in with an organiser token"),
    ErrorCode.NOT_IN_ROOM: ("请先进入这场会议的会场", "enter the session's room first"),
    # social (server/social/)
    ErrorCode.IDENTITY_REQUIRED: ("聊天需要玩家身份，请更新客户端",
                                  "chat needs a player id in hello; update the client"),
    ErrorCode.MESSAGE_TOO_LONG: ("消息太长了：最多 500 字，请分几条发送",
                                 "the message is too long: 500 characters at most, send it in parts"),
    ErrorCode.TEXT_TOO_LONG: ("文字太长了，请缩短后再保存", "the text is too long, shorten it and save again"),
    ErrorCode.EMPTY_MESSAGE: ("消息是空的", "the message is empty"),
    ErrorCode.CHAT_TOO_FAST: ("发言太快，请稍等再发", "you are sending messages too fast, wait a moment"),
    ErrorCode.CHANNEL_BUSY: ("这个频道现在太热闹了，请稍后再发", "this channel is busy right now, try again shortly"),
    ErrorCode.MUTED: ("你已被主办方禁言，暂时不能发言", "an organiser has muted you for now"),
    ErrorCode.BANNED: ("你已被主办方禁止进入展会", "an organiser has banned you from the fair"),
    ErrorCode.KICKED: ("你已被主办方请出展会", "an organiser has removed you from the fair"),
    ErrorCode.UNKNOWN_PERSON: ("没有这个人", "no such person"),
    ErrorCode.UNKNOWN_CONVERSATION: ("没有这个对话，或你不在其中", "no such conversation, or you are not in it"),
    ErrorCode.BAD_PROFILE: ("资料有一项不符合要求", "a profile field is not valid"),
    ErrorCode.ORGANISER_REQUIRED: ("只有主办方可以这样做", "only an organiser may do this"),

    # the house (sans-I/O upload desk)
    ErrorCode.UPLOAD_FAILED: ("服务器暂时无法保存这次上传，请稍后重试",
                              "the server could not store this upload; please try again later"),
    # stage: audience seats (云会议)
    ErrorCode.SEAT_TAKEN: ("这个座位已经有人了，请换一个", "someone is already in that place; pick another"),
    ErrorCode.SEAT_TOO_FAR: ("离座位太远了，请走近一些", "that place is too far away; walk closer"),
    ErrorCode.UNKNOWN_SEAT: ("这里没有这个座位", "there is no such place in this room"),
    # cluster membership (server/cluster/)
    ErrorCode.SEAT_INVALID: ("座位凭证无效（不是本服务器签发的），已按新访客接待",
                             "the seat ticket is not valid here; you were welcomed as a new visitor"),
    ErrorCode.SEAT_EXPIRED: ("座位凭证已过期，已按新访客接待",
                             "the seat ticket has expired; you were welcomed as a new visitor"),
    ErrorCode.SEAT_USED: ("座位凭证已经用过了，不能再用", "the seat ticket was already used; it works once"),
    ErrorCode.SEAT_NOT_YOURS: ("这张座位凭证不是发给这个连接的", "the seat ticket was issued to another connection"),
    ErrorCode.HALL_MOVING: ("展馆正在换到另一台服务器，请稍等片刻再进入",
                            "the hall is moving to another server; try again in a moment"),
    ErrorCode.CLUSTER_UNAVAILABLE: ("这台服务器暂时连不上展会的数据库，请稍后再进入",
                                    "this server cannot reach the fair's shared services; try again shortly"),
    # 云对接: a meeting change the store could not save
    ErrorCode.MATCH_NOT_SAVED: ("服务器暂时无法保存这次预约的变更，请稍后重试",
                                "the server could not save this change to the meeting; please try again later"),
    # cluster placement (server/cluster/identity.py)
    ErrorCode.IDENTITY_ELSEWHERE: ("你已在另一台服务器上继续参观，这个连接已关闭",
                                   "you carry on on another server; this connection is closed"),
}


def error_text(code: ErrorCode, lang: str) -> str:
    """The visitor-facing text for ``code`` in ``lang`` ('zh' or 'en')."""
    zh, en = _TEXTS[code]
    return en if lang == "en" else zh
