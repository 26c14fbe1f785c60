"""world/model_package.py: a stored model blob becomes a loadable file, and a hostile zip never escapes."""

from __future__ import annotations

import io
import zipfile

import pytest

from world.model_package import PackageError, materialize


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


def test_a_glb_and_a_gltf_zip_are_written_where_they_can_be_loaded(tmp_path):
    glb = materialize(b"glTF" + b"\0" * 20, tmp_path / "a")
    assert glb.name == "model.glb" and glb.read_bytes().startswith(b"glTF")
    model = materialize(_zip({"scene/m.gltf": b"{}", "scene/m.bin": b"\1\2"}), tmp_path / "b")
    assert model == tmp_path / "b" / "scene" / "m.gltf" and (tmp_path / "b" / "scene" / "m.bin").exists()


@pytest.mark.parametrize("entries", [{"../evil.gltf": b"{}"}, {"/abs.gltf": b"{}"}, {"a.gltf": b"{}", "b.gltf": b"{}"},
                                     {"only.bin": b"x"}])
def test_unsafe_or_ambiguous_zips_are_refused_and_write_nothing_outside(tmp_path, entries):
    with pytest.raises(PackageError):
        materialize(_zip(entries), tmp_path / "m")
    assert not (tmp_path / "evil.gltf").exists()


def test_anything_else_is_refused(tmp_path):
    with pytest.raises(PackageError):
        materialize(b"\x89PNG not a model", tmp_path)
