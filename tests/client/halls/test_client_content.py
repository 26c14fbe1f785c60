"""The booth fetcher without a renderer: manifests and pictures downloaded once, then from the cache."""

from client.halls.booths import BoothFetcher
from client.net.cache import DiskCache
from server.exhibits.content import ContentService
from world.scene import load_halls


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
