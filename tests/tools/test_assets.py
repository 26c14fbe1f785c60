"""Generated assets are committed; they must match what the generator makes from scenes/ now."""

import subprocess
import sys

from fontTools.ttLib import TTFont

from tests.conftest import ROOT


def test_models_are_rebuilt_from_current_scenes():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "build_assets.py"), "--check"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"run `make assets` and commit the result:\n{proc.stdout}{proc.stderr}"


def test_font_covers_every_character_in_scenes():
    cmap = TTFont(ROOT / "assets" / "fonts" / "NotoSansSC-Pavilion.otf").getBestCmap()
    text = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "scenes").rglob("*.json"))
    missing = sorted({c for c in text if not c.isspace() and ord(c) not in cmap})
    assert not missing, f"glyphs missing from the font subset: {''.join(missing)} (run tools/make_font.py)"
    assert (ROOT / "assets" / "fonts" / "OFL.txt").read_text().startswith("Copyright")
