"""tools/generated.py: a generated tree is current only if a fresh build gives the same files, no more, no less."""

from pathlib import Path

from tools.generated import check_generated


def build(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    (out / "a.json").write_text("{}")
    (out / "b.json").write_text("[]")
    return [out / "a.json", out / "b.json"]


def test_current_stale_and_left_over(tmp_path, capsys):
    out = tmp_path / "out"
    build(out)
    assert check_generated(out, build, "tools/x.py") == 0
    (out / "a.json").write_text('{"edited": true}')
    assert check_generated(out, build, "tools/x.py") == 1
    assert "stale" in capsys.readouterr().err
    build(out)
    (out / "old.json").write_text("{}")
    assert check_generated(out, build, "tools/x.py") == 1
    assert "left over" in capsys.readouterr().err
    assert check_generated(out, build, "tools/x.py", pattern="[ab].json") == 0
