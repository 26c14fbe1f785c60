"""Client content logic without a renderer: CJK line breaking, the disk cache, the booth fetcher."""

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from client.halls.booths import BoothFetcher
from client.net.cache import DiskCache
from client.ui.wrap import NO_END, NO_START, wrap
from server.exhibits.content import ContentService
from world.scene import load_halls


def test_chinese_breaks_anywhere_english_only_between_words_punctuation_never_starts_a_line():
    text = "青山助学基金会成立于2017年，致力于让乡村孩子享有公平而有质量的教育。Clear Spring Education Foundation"
    lines = wrap(text, 12, len)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(len(line) <= 13 for line in lines)
    assert not any(line[0] in "，。" for line in lines if line)
    assert "Education" in lines or any(line.endswith("Education") or " Education" in line for line in lines)
    assert not any("Educ" in line and "Education" not in line for line in lines), "an English word was split"


def test_cache_keeps_only_what_matches_its_hash(tmp_path):
    cache = DiskCache(tmp_path)
    data = b"\x89PNG picture"
    digest = hashlib.sha256(data).hexdigest()
    assert not cache.put_blob(digest, b"something else") and cache.get_blob(digest) is None
    assert cache.put_blob(digest, data) and cache.get_blob(digest) == data
    path = tmp_path / "blobs" / digest[:2] / digest
    path.write_bytes(b"tampered")
    assert cache.get_blob(digest) is None and not path.exists(), "a corrupt entry is dropped"
    (tmp_path / "booths").mkdir()
    (tmp_path / "booths" / "goods-01.msgpack").write_bytes(b"\xc1garbage")
    assert cache.get_manifest("goods-01") is None
    assert not list(tmp_path.rglob(".tmp-*")), "no temporary files left behind"


def test_fetcher_downloads_once_then_answers_from_cache(tmp_path):
    service = ContentService.load(load_halls(), None)

    def serve(sent):
        """Answer the fetcher's requests like the server does."""
        def send(t, **f):
            sent.append((t, f))
        return send

    for round_no in range(2):
        sent: list = []
        fetcher = BoothFetcher(DiskCache(tmp_path), serve(sent))
        fetcher.want("goods-02")
        while sent:
            t, f = sent.pop(0)
            if t == "booth_get":
                digest, manifest = service.manifest(f["booth"])
                reply = {"booth": f["booth"], "hash": digest}
                if f.get("have") != digest:
                    reply["manifest"] = manifest
                fetcher.on_message("booth", reply)
            else:
                data = service.blob(f["hash"])
                fetcher.on_message("blob", {"hash": f["hash"], "offset": f["offset"], "total": len(data),
                                            "data": data[f["offset"]:f["offset"] + 48 * 1024]})
        assert fetcher.complete("goods-02")
        if round_no == 0:
            assert fetcher.stats.manifest_downloads == 1 and fetcher.stats.blob_downloads > 0
        else:
            assert fetcher.stats.manifest_hits == 1 and fetcher.stats.blob_downloads == 0


@given(
    text=st.text(alphabet="服务台展板上有一只公益帆布袋价格元倒过来读（）《》，。！“”ab ", min_size=1, max_size=60),
    width=st.floats(2, 30),
)
def test_wrapped_chinese_never_ends_on_opening_or_starts_on_closing_punctuation(text, width):
    def measure(s: str) -> float:
        return sum(0.5 if c in "（）《》，。！“” " else 1.0 for c in s)

    lines = wrap(text, width, measure)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\n", "")
    for line in lines[:-1]:  # where the wrapper broke; the text's own end may be anything
        if len(line) > 1:
            assert line[-1] not in NO_END, lines
    for line in lines[1:]:
        if line and len(line) > 1:
            assert line[0] not in NO_START or all(c in NO_START for c in line[:2]), lines
