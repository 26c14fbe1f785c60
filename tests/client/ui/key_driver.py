"""Drive the real client window with scripted key presses (run under Xvfb by test_keys.py).

    key_driver.py SERVER_URL TMPDIR SCRIPT_JSON OUT_JSON

The keys go in where X11 keyboard events go in (the window's input device), so
they pass through the same button throwers, DirectGUI entries and ``accept``
handlers as a visitor's. SCRIPT is a list of steps run once the hall is joined:
``["key", NAME]`` presses and releases a key (a character or a Panda3D key name
such as ``escape``, ``tab``, ``enter``), ``["type", TEXT, INTERVAL_S]`` types
characters at that pace, ``["wait", S]``, ``["record", LABEL]`` stores what is on
screen. OUT gets the records and whether the app stopped by itself.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from panda3d.core import ButtonRegistry, KeyboardButton  # noqa: E402

from client import app as client_app  # noqa: E402
from client import render  # noqa: E402
from world.scene import load_halls  # noqa: E402


def button(name: str):
    if len(name) == 1:
        return KeyboardButton.asciiKey(name)
    return ButtonRegistry.ptr().findButton(name)


def state(app) -> dict:
    entry = app.expo.directory.entry
    return {
        "journal": app.journal.panel.visible,
        "quit_question": app.quit_confirm.is_open,
        "directory": app.expo.directory.is_open,
        "entry_focus": bool(entry is not None and entry["focus"]),
        "entry_text": entry.get() if entry is not None else None,
        "searches_answered": app.expo.directory.hits is not None,
    }


def main() -> int:
    url, tmp, script, out = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3]), Path(sys.argv[4])
    parser = argparse.ArgumentParser()
    client_app.add_arguments(parser)
    args = parser.parse_args(["--server", url, "--renderer", "tiny", "--name", "键盘", "--size", "640x400",
                              "--cache", str(tmp / "cache"), "--player-file", str(tmp / "player")])
    mode = render.choose("tiny", False)
    render.configure(mode, (640, 400), "keys")
    halls = load_halls()
    app = client_app.PavilionApp(args, mode, halls["lobby"], [], halls)
    records: dict = {}
    device = app.win.getInputDevice(0)

    def press(name: str, char: str | None) -> None:
        b = button(name)
        device.buttonDown(b)
        if char is not None:
            device.keystroke(ord(char))
        device.buttonUp(b)

    def steps():
        while not app.joined:
            yield 0.05
        for step in script:
            if step[0] == "key":
                press(step[1], step[1] if len(step[1]) == 1 else None)
                yield 0.15
            elif step[0] == "type":
                for ch in step[1]:
                    if ch.isascii():
                        press(ch.lower(), ch)
                    else:  # an input method delivers the character alone
                        device.keystroke(ord(ch))
                    yield step[2]
            elif step[0] == "wait":
                yield step[1]
            elif step[0] == "record":
                records[step[1]] = state(app)
        records["script_done"] = True
        app.taskMgr.stop()

    runner, wake = steps(), [0.0]

    def task(t):
        if time.monotonic() >= wake[0]:
            try:
                wake[0] = time.monotonic() + next(runner)
            except StopIteration:
                return t.done
        return t.cont

    app.taskMgr.add(task, "key-script")
    deadline = time.monotonic() + 40
    app.taskMgr.doMethodLater(40, lambda t: app.taskMgr.stop(), "key-script-timeout")
    app.run()
    records["stopped_in_time"] = time.monotonic() < deadline
    out.write_text(json.dumps(records, ensure_ascii=False))
    app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
