"""The social panels' visitor-facing strings, Chinese first, and English (GB2312 glyphs only, see assets/fonts)."""

from __future__ import annotations

from protocol.social import PROVINCES, ROLE_NAMES

STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "nearby": "附近", "hall": "展馆", "direct": "私信", "booth": "展商", "inbox": "消息",
        "no_direct": "还没有私信：点击一位访客，再点“发消息”", "no_booth": "还没有展商对话：在展位面板点“联系展商”",
        "chat_hint": "回车发送 · Esc 收起 · 附近的人会看到气泡",
        "chat_closed": "回车 聊天　I 消息　P 资料",
        "badge": "消息 {n}",
        "inbox_title": "消息", "inbox_empty": "还没有对话。点击其他访客发消息，或在展位点“联系展商”。",
        "inbox_hint": "点击打开对话 · I / Esc 关闭",
        "unread": "{n} 条未读", "booth_team": "{booth} 团队",
        "message": "发消息", "block": "屏蔽", "unblock": "取消屏蔽", "report": "举报",
        "mute": "禁言 10 分钟", "kick": "请出展会", "ban": "封禁",
        "card_hint": "Esc 关闭", "you": "（你）",
        "profile_title": "我的资料", "name": "昵称", "org": "机构（可不填）", "role": "身份", "province": "地区",
        "interests": "关注领域", "save": "保存", "profile_hint": "P / Esc 关闭 · 点击身份、地区可切换",
        "reported": "已举报，主办方会尽快处理。谢谢！", "moderated": "已执行：{action}",
        "muted": "你已被主办方禁言，暂时不能发言", "organiser": "主办方模式 · {name}",
        "reports": "举报列表", "reports_empty": "暂无举报", "report_note": "在聊天中举报",
        "none": "未填写", "more": "更早的消息…", "about": "洽谈事项：{title}",
    },
    "en": {
        "nearby": "Nearby", "hall": "Hall", "direct": "Direct", "booth": "Exhibitors", "inbox": "Messages",
        "no_direct": "No direct messages yet: click a visitor, then Message",
        "no_booth": "No exhibitor chats yet: press Contact on a booth's panel",
        "chat_hint": "Enter to send · Esc to hide · people nearby see a bubble",
        "chat_closed": "Enter: chat  I: messages  P: profile",
        "badge": "Messages {n}",
        "inbox_title": "Messages", "inbox_empty": "No conversations yet. Click a visitor to message them, "
                                                  "or Contact at a booth.",
        "inbox_hint": "Click to open · I / Esc to close",
        "unread": "{n} unread", "booth_team": "{booth} team",
        "message": "Message", "block": "Block", "unblock": "Unblock", "report": "Report",
        "mute": "Mute 10 min", "kick": "Remove", "ban": "Ban",
        "card_hint": "Esc to close", "you": " (you)",
        "profile_title": "My profile", "name": "Name", "org": "Organisation (optional)", "role": "Role",
        "province": "Region", "interests": "Interests", "save": "Save",
        "profile_hint": "P / Esc to close · click role or region to change",
        "reported": "Reported. The organisers will look at it soon. Thank you!", "moderated": "Done: {action}",
        "muted": "An organiser has muted you for now", "organiser": "Organiser mode · {name}",
        "reports": "Reports", "reports_empty": "No reports", "report_note": "reported from the chat",
        "none": "not given", "more": "Older messages…", "about": "About: {title}",
    },
}
CATEGORY_NAMES = {
    "rural": ("乡村振兴", "Rural revival"), "education": ("教育助学", "Education"),
    "elderly": ("养老助老", "Elderly care"),
    "relief": ("应急救灾", "Disaster relief"), "health": ("医疗健康", "Health"), "children": ("儿童关爱", "Children"),
    "environment": ("生态环保", "Environment"), "culture": ("文化传承", "Culture"), "goods": ("好物出山", "Goods"),
    "scenery": ("百县百景", "Scenery"), "service": ("志愿服务", "Volunteering"),
}


SYSTEM_MARK = "〔洽谈〕"  # how a system line's text starts (server/match/threads.py), for older clients


def line_text(message: dict, lang: str) -> tuple[str, bool]:
    """A message's text to show, and whether it is a system line. Only the server marks one (``system``, which
    this client asks for in its hello); those carry "zh / en", shown in one language. A person's words are
    shown as typed, 〔洽谈〕 included."""
    value = message["text"]
    if not message.get("system"):
        return value, False
    zh, sep, en = value.removeprefix(SYSTEM_MARK).partition(" / ")
    return (en if lang == "en" and sep else zh), True


def text(lang: str, key: str, **fields) -> str:
    return STRINGS[lang][key].format(**fields)


def role_name(lang: str, role: str) -> str:
    zh, en = ROLE_NAMES[role]
    return zh if lang == "zh" else en


def province_name(lang: str, province: str) -> str:
    if not province:
        return text(lang, "none")
    return province if lang == "zh" else PROVINCES.get(province, province)


def category_name(lang: str, category: str) -> str:
    zh, en = CATEGORY_NAMES.get(category, (category, category))
    return zh if lang == "zh" else en
