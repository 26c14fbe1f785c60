"""client/halls/assets.py: a missing generated asset says which file and how to make it."""

from __future__ import annotations

import pytest

from client.halls import assets


def test_a_missing_asset_names_the_file_and_the_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(assets, "ASSETS_DIR", tmp_path)
    with pytest.raises(assets.AssetMissing, match=r"avatar\.glb: missing\. Run 'make assets'"):
        assets.load_model(None, assets.AVATAR_FILE)
    with pytest.raises(assets.AssetMissing, match="NotoSansSC-Pavilion.otf"):
        assets.load_font(None)
