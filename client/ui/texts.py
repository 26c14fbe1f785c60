"""Every visitor-facing string of the client, in Chinese and English.

Kept in one place so F1 can switch languages at runtime and so the font
subset (tools/build_assets.py) can find every glyph the HUD needs.
"""

from __future__ import annotations

from client.net.connection import CONNECT_FAILED
from protocol.errors import ErrorCode, error_text

STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "connecting": "○ 正在连接…",
        "online": "● 已连接",
        "retrying": "○ 连接中断，{n} 秒后重连…",
        "hall": "{hall} · 在场 {n} 人",
        "connect_failed": "无法连接服务器",
        "hint": "W S A D 行走　← → 转向　Shift 奔跑　右键拖动 环顾　E 查看展位　Tab 展馆导览　M 小地图　"
                "F4 展商　F7 形象　F1 English",
    },
    "en": {
        "connecting": "○ Connecting…",
        "online": "● Online",
        "retrying": "○ Offline, reconnecting in {n} s…",
        "hall": "{hall} · visitors here: {n}",
        "connect_failed": "Cannot reach the server",
        "hint": "WASD: walk  ← →: turn  Shift: run  right-drag: look  E: booth  Tab: directory  M: map  "
                "F4: exhibitor  F7: looks  F1: 中文",
    },
}


def text(lang: str, key: str, **values) -> str:
    return STRINGS[lang][key].format(**values)


def problem_text(lang: str, code: str, msg: str) -> str:
    """A server error in ``lang`` when its code is known (the server's text is in the greeting language)."""
    if code == CONNECT_FAILED:
        return text(lang, "connect_failed")
    try:
        return error_text(ErrorCode(code), lang)
    except ValueError:
        return msg
