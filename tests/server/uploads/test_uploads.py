"""Exhibitor uploads end to end: a real server, real websocket clients, the real validator and renderer.

Sample models come from tests/data/models (Khronos samples, licences beside
them); hostile files are built from the validator tests' minimal triangle.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from websockets.asyncio.client import connect

from client.exhibitor.uploader import Item, Uploader, UploadError, items_for, pack_folder
from protocol.codec import encode
from server.store.sqlite import BlobStore, Store
from server.uploads.exhibitors import ExhibitorStore, UploadRecord
from server.uploads.fit import fit
from server.uploads.jobs import JobSpec, Outcome, process
from tests.conftest import ROOT
from tests.server.test_server_ws import Visitor
from tests.uploads.test_gltf_check import glb, triangle
from tools.bench_upload import make_glb

MODELS = ROOT / "tests" / "data" / "models"
# CesiumMan as shipped has skin weights that do not sum to 1: the reference refuses it (its repaired variants
# are accepted in tests/uploads/test_gltf_check.py)
SAMPLES = [p for p in sorted(MODELS.glob("*/glTF-Binary/*.glb")) + sorted(MODELS.glob("*/glTF/*.gltf"))
           if "CesiumMan" not in p.parts]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DUCK = MODELS / "Duck" / "glTF-Binary" / "Duck.glb"


@pytest.fixture
def accounts(tmp_path):
    store = Store(tmp_path / "data" / "pavilion.sqlite3")
    yield ExhibitorStore(store)
    store.close()


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 60))


async def send_items(url: str, token: str, booth: str, items: list[Item]) -> list[dict]:
    up = Uploader(url, token, booth, "en")
    try:
        return [await up.send(item) for item in items]
    finally:
        await up.close()


def blob(tmp_path: Path, digest: str) -> bytes:
    return BlobStore(tmp_path / "data" / "blobs").get(digest)


# --- real models -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_each_sample_model_is_accepted_fitted_and_rendered(live_server, accounts, tmp_path, path):
    _, token = accounts.add("Duck Co", ["rural-01"], time.time())
    items = items_for(path)
    (result,) = run(send_items(live_server, token, "rural-01", items))
    assert result["ok"], result["report"]
    assert result["version"] == 1
    live = accounts.active("rural-01")
    assert blob(tmp_path, live.original_hash) == items[0].data, "the exhibitor's original is kept, unedited"
    assert blob(tmp_path, result["hash"]).startswith(b"glTF"), "visitors get the normalised model, one .glb"
    assert blob(tmp_path, live.web_hash).startswith(b"glTF"), "and browsers a lighter variant"
    thumb = blob(tmp_path, result["thumbnail"])
    assert thumb.startswith(PNG_MAGIC)
    img = Image.open(io.BytesIO(thumb)).convert("RGB")
    background = img.getpixel((0, 0))
    drawn = sum(1 for px in img.get_flattened_data() if px != background)
    assert drawn > 0.05 * img.width * img.height, "the thumbnail shows a model, not a blank background"
    assert live.model_hash == result["hash"] and live.transform["scale"] > 0


def test_fit_puts_the_model_on_the_floor_inside_the_footprint():
    t = fit([-1, 0, -3], [1, 10, 3], (4.0, 2.0))  # glTF Y up: 2 wide, 10 tall, 6 deep
    s, (ox, oy, oz) = t["scale"], t["offset"]
    assert s == pytest.approx(min(3.6 / 2, 1.8 / 6, 3.0 / 10))
    assert oz == pytest.approx(0.0) and ox == pytest.approx(0.0) and oy == pytest.approx(0.0)
    t = fit([10, 5, 10], [12, 6, 11], (4.0, 4.0))
    s, (ox, oy, oz) = t["scale"], t["offset"]
    assert s * 5 + oz == pytest.approx(0.0), "the lowest point lands on the floor"
    assert s * 11 + ox == pytest.approx(0.0) and s * -10.5 + oy == pytest.approx(0.0), "centred"


# --- hostile files ----------------------------------------------------------------------------------------
def _external_uri() -> bytes:
    doc, _ = triangle()
    doc["buffers"][0]["uri"] = "http://evil.example/x.bin"
    return json.dumps(doc).encode()


def _traversal() -> bytes:
    doc, _ = triangle()
    doc["buffers"][0]["uri"] = "../../etc/passwd"
    return pack_folder({"model.gltf": json.dumps(doc).encode()})


def _corrupt_draco() -> bytes:
    """Valid to the reference (it does not decode Draco), garbage to the decoder."""
    doc, binary = triangle()
    doc["extensionsRequired"] = doc["extensionsUsed"] = ["KHR_draco_mesh_compression"]
    doc["bufferViews"].append({"buffer": 0, "byteOffset": 0, "byteLength": 36})
    doc["meshes"][0]["primitives"][0]["extensions"] = {
        "KHR_draco_mesh_compression": {"bufferView": 2, "attributes": {"POSITION": 0}}}
    return glb(doc, binary)


def _broken_accessor() -> bytes:
    doc, binary = triangle()
    doc["accessors"][0]["count"] = 3000
    return glb(doc, binary)


def _png(w: int, h: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (w, h), (10, 120, 60)).save(out, "PNG")
    return out.getvalue()


HOSTILE = [
    ("not-gltf", Item("model", "x.glb", b"hello, not a model"), "NOT_GLTF"),
    ("truncated", Item("model", "x.glb", glb(*triangle())[:30]), "GLB_UNEXPECTED_END_OF_CHUNK_DATA"),
    ("external-uri", Item("model", "x.gltf", _external_uri()), "URI_ABSOLUTE"),
    ("path-traversal", Item("model", "x.zip", _traversal()), "URI_TRAVERSAL"),
    ("corrupt-draco", Item("model", "x.glb", _corrupt_draco()), "DECODER_FAILED"),
    ("broken-accessor", Item("model", "x.glb", _broken_accessor()), "ACCESSOR_TOO_LONG"),
    ("image-not-image", Item("image", "x.png", b"\x89PNG\r\n\x1a\nnot really"), "IMAGE_INVALID"),
    ("image-huge", Item("image", "x.png", _png(5000, 10)), "IMAGE_TOO_LARGE"),
    ("content-bad-json", Item("content", "rural-01.json", b"{nope"), "CONTENT_INVALID"),
    ("content-other-booth", Item("content", "x.json", (ROOT / "scenes/content/rural-02.json").read_bytes()),
     "CONTENT_WRONG_BOOTH"),
    ("content-missing-picture", Item("content", "x.json", (ROOT / "scenes/content/rural-01.json").read_bytes()),
     "CONTENT_IMAGE_MISSING"),
]


@pytest.mark.parametrize("item, code", [(i, c) for _, i, c in HOSTILE], ids=[n for n, _, _ in HOSTILE])
def test_hostile_files_are_refused_with_the_right_report(live_server, accounts, item, code):
    _, token = accounts.add("Mallory", ["rural-01"], time.time())
    (result,) = run(send_items(live_server, token, "rural-01", [item]))
    assert not result["ok"]
    problems = result["report"]["problems"]
    assert code in [p["code"] for p in problems if p["severity"] == "error"], problems
    assert all(p["zh"] and p["en"] for p in problems), "every problem is explained in both languages"
    assert accounts.active("rural-01") is None, "nothing refused goes live"


def test_declared_hash_must_match_the_data(live_server, accounts):
    _, token = accounts.add("X", ["rural-01"], time.time())

    class Lying(Item):
        @property
        def sha256(self) -> str:
            return "0" * 64

    (result,) = run(send_items(live_server, token, "rural-01", [Lying("model", "d.glb", DUCK.read_bytes())]))
    assert not result["ok"] and result["report"]["problems"][0]["code"] == "HASH_MISMATCH"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_a_mutated_glb_never_breaks_processing(tmp_path, data):
    original = (MODELS / "Box" / "glTF-Binary" / "Box.glb").read_bytes()
    mutated = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        mutated[data.draw(st.integers(0, len(mutated) - 1))] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        mutated = mutated[:data.draw(st.integers(0, len(mutated)))]
    payload = bytes(mutated) or b"\0"
    store = Store(tmp_path / "fuzz.sqlite3")
    try:
        part = tmp_path / "x.part"
        part.write_bytes(payload)
        rec = UploadRecord("fuzz", "rural-01", 1, "model", "x.glb", len(payload), hashlib.sha256(payload).hexdigest())
        outcome = process(JobSpec(rec, part, (5.0, 3.0), BlobStore(tmp_path / "blobs"), ExhibitorStore(store)))
    finally:
        store.close()
    assert isinstance(outcome, Outcome)
    assert outcome.ok == (outcome.version is not None)
    assert not part.exists()


def test_mutated_uploads_leave_the_server_serving(live_server, accounts):
    _, token = accounts.add("Fuzzer", ["rural-01"], time.time())
    original = (MODELS / "Box" / "glTF-Binary" / "Box.glb").read_bytes()
    items = []
    for i in range(6):
        m = bytearray(original)
        m[(i * 997) % len(m)] ^= 0xFF
        m[(i * 131 + 40) % len(m)] ^= 0x5A
        items.append(Item("model", f"m{i}.glb", bytes(m)))
    results = run(send_items(live_server, token, "rural-01", items))
    assert len(results) == 6
    (ok,) = run(send_items(live_server, token, "rural-01", [Item("model", "d.glb", DUCK.read_bytes())]))
    assert ok["ok"], "the server still accepts a good model afterwards"


# --- tokens ---------------------------------------------------------------------------------------------------
def test_a_token_reaches_only_its_own_booths(live_server, accounts):
    _, token_a = accounts.add("A", ["rural-01"], time.time())
    with pytest.raises(UploadError) as refused:
        run(send_items(live_server, token_a, "rural-02", [Item("model", "d.glb", DUCK.read_bytes())]))
    assert refused.value.code == "not_your_booth"
    assert accounts.active("rural-02") is None


def test_a_revoked_token_is_refused_at_login_and_mid_session(live_server, accounts):
    eid, token = accounts.add("R", ["rural-01"], time.time())

    async def scenario():
        async with connect(live_server) as ws:
            v = Visitor(ws)
            await v.send("hello", name="exhibitor", lang="en")
            await v.recv_type("welcome")
            await v.send("exhibitor_login", token=token)
            await v.recv_type("exhibitor")
            accounts.revoke(eid, time.time())  # from "outside", as `main.py admin exhibitor revoke` does
            await v.send("upload_begin", booth="rural-01", kind="model", name="d.glb", size=10, sha256="0" * 64)
            _, err = await v.recv_type("error")
            assert err["code"] == "bad_token"
            await v.send("exhibitor_login", token=token)
            _, err = await v.recv_type("error")
            assert err["code"] == "bad_token"

    run(scenario())


@pytest.mark.parametrize("token", ["short", "x" * 80])
def test_a_wrong_length_token_is_an_invalid_token_not_a_bad_message(live_server, token):
    async def scenario():
        async with connect(live_server) as ws:
            v = Visitor(ws)
            await v.send("hello", name="exhibitor", lang="en")
            await v.recv_type("welcome")
            await v.send("exhibitor_login", token=token)
            _, err = await v.recv_type("error")
            assert err["code"] == "bad_token", err

    run(scenario())


@pytest.mark.parametrize("token", ["short", "x" * 500])
def test_upload_command_says_invalid_token_for_a_wrong_length_token(live_server, tmp_path, token):
    image = tmp_path / "p.png"
    Image.new("RGB", (8, 8)).save(image)
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "upload", str(image), "--booth", "rural-01",
                           "--token", token, "--server", live_server, "--lang", "en"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode != 0
    assert "bad_token" in done.stderr and "invalid" in done.stderr, done.stderr
    assert "bad_message" not in done.stderr and "Traceback" not in done.stderr


def test_uploads_need_a_login_and_chunks_need_an_upload(live_server):
    async def scenario():
        v = await Visitor.join(live_server, "nosy")
        await v.send("upload_chunk", upload="abc", offset=0, data=b"x" * 100)
        _, err = await v.recv_type("error")
        assert err["code"] == "exhibitor_required"
        await v.send("exhibitor_login", token="x" * 43)
        _, err = await v.recv_type("error")
        assert err["code"] == "bad_token"

    run(scenario())


# --- resume, one at a time ---------------------------------------------------------------------------------
def test_an_interrupted_upload_resumes_where_it_stopped(live_server, accounts, tmp_path):
    _, token = accounts.add("Resumer", ["rural-01"], time.time())
    item = Item("model", "grid.glb", make_glb(6.0))  # a valid 6 MB model (CesiumMan's weights are invalid)

    async def scenario():
        first = Uploader(live_server, token, "rural-01")
        await first._open()
        await first._send("upload_begin", booth="rural-01", kind="model", name=item.name, size=len(item.data),
                          sha256=item.sha256)
        ready = await first._expect("upload_ready")
        assert ready["offset"] == 0
        half = 5 * 48 * 1024
        for off in range(0, half, 48 * 1024):
            await first._send("upload_chunk", upload=ready["upload"], offset=off, data=item.data[off:off + 48 * 1024])
            progress = await first._expect("upload_progress")
        assert progress["received"] == half
        await first.ws.close()  # the link drops mid-upload

        second = Uploader(live_server, token, "rural-01")
        await second._open()
        await second._send("upload_begin", booth="rural-01", kind="model", name=item.name, size=len(item.data),
                           sha256=item.sha256)
        again = await second._expect("upload_ready")
        assert again == {"upload": ready["upload"], "offset": half}, "resumed, not restarted"
        await second.close()
        return await send_items(live_server, token, "rural-01", [item])

    (result,) = run(scenario())
    assert result["ok"] and blob(tmp_path, accounts.active("rural-01").original_hash) == item.data
    assert not list((tmp_path / "data" / "uploads").glob("*.part")), "the spool file is gone once published"


def test_one_upload_at_a_time_per_booth(live_server, accounts):
    _, token = accounts.add("Twice", ["rural-01"], time.time())

    async def scenario():
        a, b = Uploader(live_server, token, "rural-01"), Uploader(live_server, token, "rural-01")
        await a._open()
        await b._open()
        await a._send("upload_begin", booth="rural-01", kind="model", name="a.glb", size=1000, sha256="1" * 64)
        await a._expect("upload_ready")
        await b._send("upload_begin", booth="rural-01", kind="model", name="b.glb", size=1000, sha256="2" * 64)
        with pytest.raises(UploadError) as busy:
            await b._expect("upload_ready")
        assert busy.value.code == "upload_busy"
        await a.close()
        await b.close()

    run(scenario())


# --- content, live swap, rollback ----------------------------------------------------------------------------
def test_content_with_its_pictures_swaps_the_booth_panel(live_server, accounts, tmp_path):
    _, token = accounts.add("Content Co", ["rural-01"], time.time())
    folder = tmp_path / "mine"
    (folder / "images").mkdir(parents=True)
    data = json.loads((ROOT / "scenes/content/rural-01.json").read_text(encoding="utf-8"))
    data["institution"] = {"zh": "新的机构", "en": "A New Institution"}
    data["poster"] = "images/poster.png"
    for p in data["products"]:
        p["image"] = "images/poster.png"
    (folder / "images" / "poster.png").write_bytes(_png(64, 48))
    (folder / "rural-01.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    async def scenario():
        v = await Visitor.join(live_server, "watcher")
        results = await send_items(live_server, token, "rural-01", items_for(folder / "rural-01.json"))
        _, changed = await v.recv_type("booth_changed")
        await v.send("booth_get", booth="rural-01")
        _, booth = await v.recv_type("booth")
        return results, changed, booth

    results, changed, booth = run(scenario())
    assert [r["ok"] for r in results] == [True, True], results
    assert changed["booth"] == "rural-01" and booth["hash"] == changed["hash"]
    assert booth["manifest"]["institution"]["en"] == "A New Institution"


def test_a_visitor_sees_the_new_model_swap_in_and_fetches_it_by_hash(live_server, accounts):
    _, token = accounts.add("Swap", ["rural-01"], time.time())
    data = DUCK.read_bytes()

    async def scenario():
        v = await Visitor.join(live_server, "looker")
        await v.send("teleport", booth="rural-01")  # into the rural hall
        await v.recv_type("hall_state")
        await v.send("booth_get", booth="rural-01")
        _, before = await v.recv_type("booth")
        assert "model" not in before["manifest"]
        (result,) = await send_items(live_server, token, "rural-01", [Item("model", "duck.glb", data)])
        _, changed = await v.recv_type("booth_changed", timeout=10)
        await v.send("booth_get", booth="rural-01", have=before["hash"])
        _, after = await v.recv_type("booth")
        model = after["manifest"]["model"]
        got = b""
        while True:
            await v.send("blob_get", hash=model["hash"], offset=len(got), chunks=16)
            while True:
                _, chunk = await v.recv_type("blob")
                got += chunk["data"]
                if len(got) == chunk["total"] or len(chunk["data"]) == 0 or chunk["offset"] // 49152 % 16 == 15:
                    break
            if len(got) >= chunk["total"]:
                break
        # a visitor joining later hears about the uploaded booth right after hall_state
        late = await Visitor.join(live_server, "late")
        await late.send("teleport", booth="rural-02")
        await late.recv_type("hall_state")
        _, notice = await late.recv_type("booth_changed")
        return result, changed, after, model, got, notice

    result, changed, after, model, got, notice = run(scenario())
    assert changed == {"booth": "rural-01", "hash": after["hash"]}
    assert model["hash"] == result["hash"] and model["thumbnail"] == result["thumbnail"]
    assert hashlib.sha256(got).hexdigest() == model["hash"] and got.startswith(b"glTF"), "the normalised .glb"
    assert model["web"]["size"] < len(got), "browsers are offered the lighter variant beside it"
    assert notice == changed


def test_admin_rollback_reaches_a_running_server(live_server, accounts, tmp_path):
    _, token = accounts.add("Roll", ["rural-01"], time.time())
    box = (MODELS / "Box" / "glTF-Binary" / "Box.glb").read_bytes()
    first, second = run(send_items(live_server, token, "rural-01",
                                   [Item("model", "box.glb", box), Item("model", "duck.glb", DUCK.read_bytes())]))
    assert (first["version"], second["version"]) == (1, 2)

    async def scenario():
        v = await Visitor.join(live_server, "watcher")
        done = subprocess.run([sys.executable, str(ROOT / "main.py"), "admin", "booth", "rollback", "rural-01",
                               "--data", str(tmp_path / "data")], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        await v.recv_type("booth_changed", timeout=8)
        await v.send("booth_get", booth="rural-01")
        _, booth = await v.recv_type("booth")
        return booth

    assert run(scenario())["manifest"]["model"]["hash"] == first["hash"]


def test_admin_exhibitor_commands(tmp_path):
    def admin(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(ROOT / "main.py"), "admin", *args, "--data", str(tmp_path)],
                              capture_output=True, text=True, timeout=60)

    added = admin("exhibitor", "add", "--booth", "rural-01", "--booth", "rural-02", "--name", "云岭促进会")
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip()
    assert len(token) >= 40
    store = Store(tmp_path / "pavilion.sqlite3")
    rows = store.rows("SELECT token_hash FROM exhibitors")
    store.close()
    assert rows == [(hashlib.sha256(token.encode()).hexdigest(),)], "only the token's hash is stored"
    assert token not in (tmp_path / "pavilion.sqlite3").read_bytes().decode("latin-1")
    assert "rural-01,rural-02" in admin("exhibitor", "list").stdout
    assert admin("exhibitor", "add", "--booth", "nowhere", "--name", "x").returncode == 1
    booths = admin("booth", "list", "--hall", "rural").stdout
    assert "rural-01\trural\tseed\t1:云岭促进会" in booths
    assert admin("exhibitor", "revoke", "1").returncode == 0
    assert admin("exhibitor", "revoke", "1").returncode == 1
    assert "revoked" in admin("exhibitor", "list").stdout
    assert admin("booth", "rollback", "rural-01").returncode == 1, "nothing uploaded: nothing to roll back"


def test_upload_cli_exit_codes_and_json(live_server, accounts):
    _, token = accounts.add("CLI", ["rural-01"], time.time())

    def cli(path: Path, *extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(ROOT / "main.py"), "upload", str(path), "--booth", "rural-01",
                               "--server", live_server, *extra], capture_output=True, text=True, timeout=60)

    ok = cli(DUCK, "--token", token, "--json")
    assert ok.returncode == 0, ok.stderr
    report = json.loads(ok.stdout.strip().splitlines()[-1])
    assert report["ok"] and report["results"][0]["version"] == 1
    bad = cli(ROOT / "README.md", "--token", token)
    assert bad.returncode == 2 and "upload a .glb" in bad.stderr
    wrong = cli(DUCK, "--token", "y" * 43, "--json")
    assert wrong.returncode == 2 and json.loads(wrong.stdout.strip().splitlines()[-1])["error"] == "bad_token"


def test_non_exhibitors_keep_the_small_rate_limit(live_server):
    async def scenario():
        v = await Visitor.join(live_server, "flood")
        for _ in range(6):  # 6 x 48 KiB: far over the visitor byte budget (128 KiB burst)
            await v.ws.send(encode("upload_chunk", upload="a", offset=0, data=b"x" * 49152))
        codes = []
        while "rate_limited" not in codes:
            _, err = await v.recv_type("error")
            codes.append(err["code"])
        return codes

    assert "rate_limited" in run(scenario())
