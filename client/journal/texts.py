"""The puzzle journal's visitor-facing strings, in Chinese and English (GB2312 glyphs only, see assets/fonts)."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "heading": "益起解密",
        "progress": "第 {n}/{total} 步 · 已用提示 {hints} 次",
        "done": "全部解开 · 用时 {time} · 提示 {hints} 次",
        "step": "{n}. {booth}（{hall}）",
        "hint": "提示：{text}",
        "hint_button": "提示（剩 {n}）",
        "submit": "提交",
        "clear": "清除",
        "picked": "已选：{text}",
        "type_here": "在这里输入答案（字母或数字），回车提交",
        "wrong": "× 不对，再想想（这一分钟还能试 {n} 次）",
        "wait": "尝试太频繁了，请 {n} 秒后再试",
        "right": "√ 答对了！下一条线索已解锁",
        "board": "排行榜",
        "board_empty": "还没有人完成，加油！",
        "row": "{rank}. {name}",
        "row_detail": "{time} · 提示 {hints}",
        "you": "你：第 {rank} 名",
        "finale": "★ {badge} ★",
        "team": "队伍：{members}",
        "close": "J 关闭 · F1 English",
        "where": "去 {booth} 找线索",
        "list": "选择一个解密游戏：",
        "list_item": "{title}（{solved}/{steps}）",
        "marker": "线索",
    },
    "en": {
        "heading": "Charity Decoder",
        "progress": "Step {n} of {total} · hints used: {hints}",
        "done": "Solved · time {time} · hints {hints}",
        "step": "{n}. {booth} ({hall})",
        "hint": "Hint: {text}",
        "hint_button": "Hint ({n} left)",
        "submit": "Submit",
        "clear": "Clear",
        "picked": "Picked: {text}",
        "type_here": "Type the answer (letters or digits), Enter to submit",
        "wrong": "× Not quite: {n} more tries this minute",
        "wait": "Too many tries: wait {n} s",
        "right": "√ Right! The next clue is unlocked",
        "board": "Leaderboard",
        "board_empty": "Nobody has finished yet: be the first!",
        "row": "{rank}. {name}",
        "row_detail": "{time} · hints {hints}",
        "you": "You: rank {rank}",
        "finale": "★ {badge} ★",
        "team": "Team: {members}",
        "close": "J: close · F1: 中文",
        "where": "Find the clue at {booth}",
        "list": "Pick a puzzle:",
        "list_item": "{title} ({solved}/{steps})",
        "marker": "Clue",
    },
}


def text(lang: str, key: str, **values) -> str:
    return STRINGS[lang][key].format(**values)


def clock(seconds: float) -> str:
    """1:05 or 1:02:05."""
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
