"""The Hub stand-in speaks the Hub's protocol as huggingface_hub itself understands it."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import httpx2
import pytest
from huggingface_hub import HfApi, hf_hub_download
from huggingface_hub.errors import (
    GatedRepoError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from tests.hub_standin import HubStandIn, closed_port_url, commit_for

REPO = "org/tiny-model"
BIG = 12 * 2**20 + 12345  # larger than huggingface_hub's 10 MiB download chunk


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("standin-repo")
    (d / "config.json").write_text('{"architectures": ["GPTNeoXForCausalLM"]}')
    (d / "model.safetensors").write_bytes(os.urandom(BIG))
    (d / "sub").mkdir()
    (d / "sub" / "notes.txt").write_text("hello")
    return d


def _serve(folder: Path, **kw) -> HubStandIn:
    hub = HubStandIn(**kw)
    hub.add(REPO, folder)
    hub.add("org/gated", folder, gated=True, token="right")
    return hub


@pytest.fixture
def hub(folder):
    with _serve(folder) as h:
        yield h


def _sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_model_info_lists_files_with_sizes_and_lfs(hub, folder):
    info = HfApi(endpoint=hub.url).model_info(REPO, files_metadata=True, token=False)
    assert info.id == REPO and info.sha == commit_for(REPO)
    files = {s.rfilename: s for s in info.siblings}
    assert set(files) == {"config.json", "model.safetensors", "sub/notes.txt"}
    weights = files["model.safetensors"]
    assert weights.size == BIG and weights.lfs.size == BIG
    assert weights.lfs.sha256 == _sha256(folder / "model.safetensors")
    assert files["config.json"].lfs is None and files["config.json"].size == (folder / "config.json").stat().st_size
    plain = HfApi(endpoint=hub.url).model_info(REPO, token=False)  # without blobs=True: names only
    assert {s.rfilename for s in plain.siblings} == set(files) and plain.siblings[0].size is None
    pinned = HfApi(endpoint=hub.url).model_info(REPO, revision=commit_for(REPO), token=False)
    assert pinned.sha == commit_for(REPO)


def test_tree_and_paths_info(hub):
    api = HfApi(endpoint=hub.url)
    top = {e.path: type(e).__name__ for e in api.list_repo_tree(REPO, token=False)}
    assert top == {"config.json": "RepoFile", "model.safetensors": "RepoFile", "sub": "RepoFolder"}
    deep = {e.path for e in api.list_repo_tree(REPO, recursive=True, token=False)}
    assert deep == {"config.json", "model.safetensors", "sub/notes.txt"}
    info = api.get_paths_info(REPO, ["model.safetensors", "absent"], token=False)
    assert [e.path for e in info] == ["model.safetensors"] and info[0].lfs.size == BIG


def test_hf_hub_download_into_the_standard_cache(hub, folder, tmp_path):
    path = hf_hub_download(REPO, "model.safetensors", endpoint=hub.url, cache_dir=tmp_path, token=False)
    assert Path(path).read_bytes() == (folder / "model.safetensors").read_bytes()
    commit = commit_for(REPO)
    assert Path(path) == tmp_path / "models--org--tiny-model" / "snapshots" / commit / "model.safetensors"
    assert (tmp_path / "models--org--tiny-model" / "blobs" / _sha256(folder / "model.safetensors")).is_file()
    assert (tmp_path / "models--org--tiny-model" / "refs" / "main").read_text() == commit
    small = hf_hub_download(REPO, "sub/notes.txt", endpoint=hub.url, cache_dir=tmp_path, token=False)
    assert Path(small).read_text() == "hello"
    s = hub.stats(REPO, "model.safetensors")
    assert s.gets == 1 and s.bytes == BIG and s.ranges == [""]
    # A second download finds the file in the cache: one HEAD, no bytes.
    hf_hub_download(REPO, "model.safetensors", endpoint=hub.url, cache_dir=tmp_path, token=False)
    assert s.gets == 1 and s.bytes == BIG and s.heads >= 2


def test_errors_are_the_hubs(hub, tmp_path):
    api = HfApi(endpoint=hub.url)
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("nobody/missing", token=False)
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download("nobody/missing", "config.json", endpoint=hub.url, cache_dir=tmp_path, token=False)
    with pytest.raises(RevisionNotFoundError):
        api.model_info(REPO, revision="no-such-branch", token=False)
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download(REPO, "config.json", revision="v9", endpoint=hub.url, cache_dir=tmp_path, token=False)
    with pytest.raises(RemoteEntryNotFoundError):
        hf_hub_download(REPO, "absent.json", endpoint=hub.url, cache_dir=tmp_path, token=False)


def test_missing_repo_as_401_for_anonymous_requests(folder, tmp_path):
    with _serve(folder, missing_status=401) as hub:
        with pytest.raises(RepositoryNotFoundError) as e:
            HfApi(endpoint=hub.url).model_info("nobody/missing", token=False)
        assert e.value.response.status_code == 401


def test_gated_repo_needs_the_token(hub, folder, tmp_path):
    info = HfApi(endpoint=hub.url).model_info("org/gated", token=False)  # the listing is public
    assert info.gated == "manual"
    with pytest.raises(GatedRepoError) as e:
        hf_hub_download("org/gated", "config.json", endpoint=hub.url, cache_dir=tmp_path, token=False)
    assert e.value.response.status_code == 401
    with pytest.raises(GatedRepoError) as e:
        hf_hub_download("org/gated", "config.json", endpoint=hub.url, cache_dir=tmp_path, token="wrong")
    assert e.value.response.status_code == 403
    path = hf_hub_download("org/gated", "config.json", endpoint=hub.url, cache_dir=tmp_path, token="right")
    assert "GPTNeoX" in Path(path).read_text()
    assert hub.stats("org/gated", "config.json").gets == 1


def test_range_request_gets_206_and_the_rest(hub, folder):
    data = (folder / "model.safetensors").read_bytes()
    url = f"{hub.url}/{REPO}/resolve/main/model.safetensors"
    r = httpx2.get(url, headers={"Range": "bytes=1000-"})
    assert r.status_code == 206 and r.content == data[1000:]
    assert r.headers["Content-Range"] == f"bytes 1000-{BIG - 1}/{BIG}"
    assert r.headers["X-Repo-Commit"] == commit_for(REPO)
    head = httpx2.head(url)
    assert head.headers["X-Linked-Etag"] == f'"{_sha256(folder / "model.safetensors")}"'
    assert int(head.headers["X-Linked-Size"]) == BIG == int(head.headers["Content-Length"])
    assert head.headers["Accept-Ranges"] == "bytes"
    assert httpx2.get(url, headers={"Range": f"bytes={BIG}-"}).status_code == 416
    s = hub.stats(REPO, "model.safetensors")
    assert s.ranges == ["bytes=1000-", f"bytes={BIG}-"] and s.bytes == BIG - 1000 and s.heads == 1


def test_cut_download_is_resumed_with_a_range_request(hub, folder, tmp_path):
    cut = 11 * 2**20
    hub.cut_after["model.safetensors"] = cut
    path = hf_hub_download(REPO, "model.safetensors", endpoint=hub.url, cache_dir=tmp_path, token=False)
    assert _sha256(path) == _sha256(folder / "model.safetensors")
    s = hub.stats(REPO, "model.safetensors")
    assert s.gets == 2 and s.sent[0] == cut and s.ranges[0] == ""
    resumed_at = int(s.ranges[1].removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_at <= cut  # what reached the file before the cut is not asked for again
    assert s.sent[1] == BIG - resumed_at


def test_stalled_download_waits_then_closes(hub):
    hub.stall_after["model.safetensors"] = 5000
    got = bytearray()
    error: list[Exception] = []

    def read():
        try:
            with httpx2.stream("GET", f"{hub.url}/{REPO}/resolve/main/model.safetensors", timeout=30) as r:
                for chunk in r.iter_bytes():
                    got.extend(chunk)
        except httpx2.RemoteProtocolError as e:
            error.append(e)

    t = threading.Thread(target=read)
    t.start()
    assert hub.stalled.wait(10)
    assert hub.stats(REPO, "model.safetensors").bytes == 5000
    hub.release()
    t.join(10)
    assert not t.is_alive() and len(got) == 5000 and error


def test_lfs_redirect_to_a_cdn_host(folder, tmp_path):
    with _serve(folder, lfs_redirect=True) as hub:
        path = hf_hub_download(REPO, "model.safetensors", endpoint=hub.url, cache_dir=tmp_path, token=False)
        assert _sha256(path) == _sha256(folder / "model.safetensors")
        assert hub.stats(REPO, "model.safetensors").bytes == BIG
        assert any(p.startswith("/cdn/") for _, p, status in hub.requests if status == 200)


def test_closed_port_refuses_connections(hub):
    # (hf_hub_download itself retries a refused connection for about 23 s before it gives up)
    with pytest.raises(httpx2.ConnectError):
        HfApi(endpoint=closed_port_url()).model_info(REPO, token=False)
    assert hub.requests == []


def test_stop_frees_the_port(folder):
    hub = _serve(folder)
    url = hub.url
    hub.stop()
    with pytest.raises(httpx2.ConnectError):
        httpx2.get(f"{url}/api/models/{REPO}", timeout=5)
