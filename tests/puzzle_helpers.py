"""A small puzzle on the lobby's booths for tests that must not depend on the shipped puzzle files."""

from __future__ import annotations

import copy

from server.puzzles.file import Puzzle, parse_puzzle, seal
from world.scene import load_halls

SALT = b"s" * 32
ANSWERS = ("4321", "ABC", "携手")  # what a visitor types (or picks) for steps 0, 1, 2


def t(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


SPEC = {
    "format": 1,
    "id": "trial",
    "title": t("试炼", "Trial"),
    "story": t("一个测试用的谜题。", "A puzzle for tests."),
    "steps": [
        {"id": "one", "booth": "info-desk", "clue": t("数字倒过来：1234", "Digits backwards: 1234"),
         "input": "text", "answers": ["4321", "四三二一"],
         "hints": [t("倒序", "reverse"), t("四开头", "starts with 4")]},
        {"id": "two", "booth": "joint-action", "clue": t("字母表开头三个", "First three letters"), "input": "text",
         "answers": ["abc"], "hints": [t("字母", "letters")]},
        {"id": "three", "booth": "goods-15", "clue": t("手拉手", "hand in hand"), "input": "tiles",
         "tiles": "手携望希温暖", "answers": ["携手"], "hints": [t("两个字", "two characters")]},
    ],
    "finale": {"message": t("谢谢你！", "Thank you!"),
               "badge": {"name": t("测试徽章", "Test Badge"), "color": "#123456"}},
}


def spec() -> dict:
    return copy.deepcopy(SPEC)


def trial(data: dict | None = None, source: str = "trial.json") -> Puzzle:
    return parse_puzzle(data or spec(), source, load_halls(), content_dir=None)[0]


def sealed() -> dict[str, Puzzle]:
    return {"trial": seal(trial(), SALT)}
