"""People meeting in the fair: profiles, chat, conversations, favourites, moderation (server/social/).

Texts arrive with wide wire bounds and are then cleaned and measured by the
server (protocol/text.py), so a line that is too long is answered with
``message_too_long`` in the visitor's language rather than a bare
``bad_message``.
"""

from __future__ import annotations

from protocol.messages import (
    MAX_NAME_CHARS,
    Field,
    boolean,
    booth_id,
    integer,
    list_of,
    number,
    one_of,
    record,
    string,
    texts,
    visitor_id,
)

MESSAGE_CHARS = 500  # a chat line, after cleaning
ORG_CHARS = 60
NOTE_CHARS = 500  # a report's note, a moderation reason
WIRE_TEXT_CHARS = 4000  # what the schema lets through to be cleaned and measured
MAX_INTERESTS = 11
PAGE = 50  # messages per history page, at most
MAX_CONVS = 500  # conversations listed in one inbox
MAX_MINUTES = 60 * 24 * 30  # the longest mute

ROLES = ("person", "company", "foundation", "ngo", "media")
ROLE_NAMES = {"person": ("个人", "Individual"), "company": ("企业", "Company"), "foundation": ("基金会", "Foundation"),
              "ngo": ("社会组织", "Social organisation"), "media": ("媒体", "Media")}
PROVINCES = {
    "北京": "Beijing", "天津": "Tianjin", "河北": "Hebei", "山西": "Shanxi", "内蒙古": "Inner Mongolia",
    "辽宁": "Liaoning", "吉林": "Jilin", "黑龙江": "Heilongjiang", "上海": "Shanghai", "江苏": "Jiangsu",
    "浙江": "Zhejiang", "安徽": "Anhui", "福建": "Fujian", "江西": "Jiangxi", "山东": "Shandong", "河南": "Henan",
    "湖北": "Hubei", "湖南": "Hunan", "广东": "Guangdong", "广西": "Guangxi", "海南": "Hainan", "重庆": "Chongqing",
    "四川": "Sichuan", "贵州": "Guizhou", "云南": "Yunnan", "西藏": "Tibet", "陕西": "Shaanxi", "甘肃": "Gansu",
    "青海": "Qinghai", "宁夏": "Ningxia", "新疆": "Xinjiang", "香港": "Hong Kong", "澳门": "Macao",
    "台湾": "Taiwan", "海外": "Overseas",
}
CHANNELS = ("nearby", "hall")
CONV_KINDS = ("direct", "booth")
MOD_ACTIONS = ("mute", "unmute", "kick", "ban", "unban")

person_id = integer(1, 2**53)
message_id = integer(1, 2**53)
conv_id = integer(1, 2**53)
client_msg_id = string(36, 8)  # the client's id for a line: a resend with the same one is never shown twice
wire_text = string(WIRE_TEXT_CHARS, printable=False)
wall_time = number(0, 1e11)
subject = record({"kind": Field(string(16, 1)), "id": Field(string(48, 1)),
                  "title": Field(texts(80), optional=True)})  # e.g. the need: "项目 · 资金 · ¥200,000"
profile_fields = {
    "pid": Field(person_id),
    "name": Field(string(MAX_NAME_CHARS, 1)),
    "org": Field(string(ORG_CHARS)),
    "role": Field(one_of(*ROLES)),
    "province": Field(string(8)),
    "interests": Field(list_of(string(16, 1), MAX_INTERESTS)),
    "booth": Field(booth_id, optional=True),  # exhibitor staff: the booth whose team they are
    "booth_name": Field(string(60), optional=True),
    "organiser": Field(boolean, optional=True),
    "vid": Field(visitor_id, optional=True),  # online now, as this avatar
}
message = record({
    "id": Field(message_id),
    "conv": Field(conv_id),
    "from": Field(person_id),
    "name": Field(string(60, 1)),  # the sender's name, or the booth's for a staff reply
    "booth": Field(booth_id, optional=True),  # a staff reply: signed as this booth
    "text": Field(string(MESSAGE_CHARS, printable=False)),
    "at": Field(wall_time),
    # a line the server wrote (a 云对接 booking or intent), only to clients whose hello said system_lines
    "system": Field(boolean, optional=True),
})
conv_info = record({
    "id": Field(conv_id),
    "kind": Field(one_of(*CONV_KINDS)),
    "title": Field(string(60, 1)),  # the other person's name, or the booth's
    "peer": Field(person_id, optional=True),  # direct, and a booth conversation seen by its staff: the visitor
    "booth": Field(booth_id, optional=True),
    "subject": Field(subject, optional=True),
    "unread": Field(integer(0, 2**31)),
    "last": Field(message, optional=True),
})
report_row = record({
    "id": Field(integer(1, 2**53)),
    "reporter": Field(person_id),
    "target": Field(person_id),
    "target_name": Field(string(MAX_NAME_CHARS)),
    "note": Field(string(NOTE_CHARS, printable=False)),
    "context": Field(list_of(string(MESSAGE_CHARS + 80, printable=False), 10)),
    "at": Field(wall_time),
})

CLIENT = {
    "profile_set": {
        "name": Field(string(WIRE_TEXT_CHARS, printable=False)),
        "org": Field(string(WIRE_TEXT_CHARS, printable=False)),
        "role": Field(one_of(*ROLES)),
        "province": Field(string(8)),
        "interests": Field(list_of(string(16, 1), MAX_INTERESTS)),
    },
    "profile_get": {"vid": Field(visitor_id, optional=True), "pid": Field(person_id, optional=True)},
    "say": {"channel": Field(one_of(*CHANNELS)), "text": Field(wire_text), "cmid": Field(client_msg_id)},
    "conv_open": {"to": Field(person_id, optional=True), "booth": Field(booth_id, optional=True)},
    "send": {"conv": Field(conv_id), "text": Field(wire_text), "cmid": Field(client_msg_id)},
    "history": {"conv": Field(conv_id), "before": Field(message_id, optional=True),
                "limit": Field(integer(1, PAGE), optional=True)},
    "read": {"conv": Field(conv_id), "upto": Field(message_id)},
    "inbox_get": {},
    "favourite": {"booth": Field(booth_id), "on": Field(boolean)},
    "block": {"pid": Field(person_id), "on": Field(boolean)},
    "report": {"pid": Field(person_id), "message": Field(message_id, optional=True),
               "note": Field(string(WIRE_TEXT_CHARS, printable=False))},
    "organiser_login": {"token": Field(string(64, 16))},
    "moderate": {"action": Field(one_of(*MOD_ACTIONS)), "pid": Field(person_id),
                 "minutes": Field(integer(1, MAX_MINUTES), optional=True),
                 "reason": Field(string(WIRE_TEXT_CHARS, printable=False))},
    "reports_get": {},
}

SERVER = {
    "profile": {**profile_fields, "you": Field(boolean)},
    "said": {"cmid": Field(client_msg_id), "id": Field(message_id), "at": Field(wall_time),
             "conv": Field(conv_id, optional=True)},
    "chat": {
        "channel": Field(one_of(*CHANNELS)),
        "id": Field(message_id),
        "vid": Field(visitor_id),
        "from": Field(person_id),
        "name": Field(string(MAX_NAME_CHARS, 1)),
        "text": Field(string(MESSAGE_CHARS, printable=False)),
        "at": Field(wall_time),
    },
    "message": {"message": Field(message)},
    "conv": {"conv": Field(conv_info)},
    "inbox": {"convs": Field(list_of(conv_info, MAX_CONVS)), "unread": Field(integer(0, 2**31))},
    "history_page": {"conv": Field(conv_id), "messages": Field(list_of(message, PAGE)), "more": Field(boolean)},
    "favourites": {"booths": Field(list_of(booth_id, 1000))},
    "blocks": {"pids": Field(list_of(person_id, 1000))},
    "reported": {"id": Field(integer(1, 2**53))},
    "organiser": {"name": Field(string(60, 1))},
    "moderated": {"action": Field(one_of(*MOD_ACTIONS)), "pid": Field(person_id),
                  "until": Field(wall_time, optional=True)},
    "sanction": {"kind": Field(one_of("mute", "unmute")), "until": Field(wall_time, optional=True),
                 "reason": Field(string(NOTE_CHARS, printable=False))},
    "reports": {"items": Field(list_of(report_row, 100))},
}
