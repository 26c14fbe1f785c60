"""Every visitor-facing string of the 云对接 panels and the lobby scoreboard, in Chinese and English."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "recs_title": "为你推荐 · 云对接",
        "offers_title": "适合你的需求的资源",
        "needs_title": "你的资源可以支持的项目",
        "book": "预约洽谈",
        "book_title": "在线洽谈",
        "free_slots": "可预约时段（北京时间）",
        "no_slots": "暂无可预约时段",
        "my_meetings": "我的洽谈",
        "no_meetings": "还没有洽谈",
        "requested": "等待回复",
        "accepted": "已确认",
        "declined": "已婉拒",
        "cancelled": "已取消",
        "accept": "接受",
        "decline": "婉拒",
        "loading": "正在加载…",
        "close": "R 为你推荐　B 我的洽谈　Esc 关闭",
        "board_title": "云对接 · 对接成果",
        "board_wait": "对接项目 — 个 · 意向金额 ¥—",
        "due": "洽谈时间到了：{label}",
        "funder": "资助方",
        "enter_room": "进入洽谈室",
        "leave_room": "离开洽谈室，回到序厅",
        "visitor": "访客",
    },
    "en": {
        "recs_title": "Recommended for you · Matchmaking",
        "offers_title": "Offers that fit your needs",
        "needs_title": "Projects your offer can support",
        "book": "Book",
        "book_title": "Meetings",
        "free_slots": "Free slots (Beijing time)",
        "no_slots": "No free slots",
        "my_meetings": "My meetings",
        "no_meetings": "No meetings yet",
        "requested": "awaiting an answer",
        "accepted": "confirmed",
        "declined": "declined",
        "cancelled": "cancelled",
        "accept": "Accept",
        "decline": "Decline",
        "loading": "Loading…",
        "close": "R: recommended  B: my meetings  Esc: close",
        "board_title": "Matchmaking results",
        "board_wait": "— projects matched · ¥— pledged",
        "due": "Your meeting starts: {label}",
        "funder": "funder",
        "enter_room": "Enter the room",
        "leave_room": "Leave the meeting room for the lobby",
        "visitor": "visitor",
    },
}
KIND = {
    "funds": {"zh": "资金", "en": "funding"},
    "goods": {"zh": "物资", "en": "supplies"},
    "volunteers": {"zh": "志愿者", "en": "volunteers"},
    "channels": {"zh": "销售渠道", "en": "sales channels"},
    "skills": {"zh": "技术/培训", "en": "skills & training"},
}


def text(lang: str, key: str, **values) -> str:
    return STRINGS[lang][key].format(**values)
