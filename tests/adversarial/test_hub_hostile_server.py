"""A hostile Hugging Face Hub: the local stand-in (tests/hub_standin.py) with knobs a broken or
malicious server would turn, and the helpers the hub attack tests share.

``HostileHub`` is a ``HubStandIn`` whose request handler first looks at the hostile knobs:

- ``api_raw[repo_id] = (status, body, headers)``: the repo's info answer, as raw bytes;
- ``api_stall``: the info request is accepted and never answered (until ``release()``);
- ``api_flood = n``: the info answer claims a huge body and streams ``n`` bytes of JSON whitespace;
- ``file_status[name] = (status, headers, times)``: the file's GETs answer ``status`` (``times`` of them,
  or all when None);
- ``drip[name] = interval``: the file's headers promise its size, then one byte per ``interval`` s;
- ``flood[name] = n``: the file's body is ``n`` bytes (its Content-Length says so) whatever its listed size;
- ``redirect[name] = location``: the file's GET is redirected (a loop, another host, another scheme);
- ``auth_seen``: (path, Authorization header) of every request.

``HostileRepo`` lets a test rewrite the info JSON (``info_hook``) and add files under any name.

The file also tests that each knob does what it says, so a hostile test fails for the product's
reason and not the server's.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx2
import pytest

from tests.hub.conftest import GATED, TOKEN, hub_repos  # noqa: F401 - fixtures used by the attack tests
from tests.hub_standin import HubStandIn, Repo, RepoFile, _Handler, hub_env as _standin_env, hub_vars

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SMALL = "rinna/japanese-gpt-neox-attack-instruction-sft"  # the small safetensors model, not gated
WEIGHTS = "model.safetensors"
TRACEBACK_MARKS = ("Traceback (most recent call last)", "Exception ignored", "Fatal Python error")


def _hashes(path: Path) -> tuple[str, str]:
    """(git blob id, sha256) of a file."""
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest(), hashlib.sha256(data).hexdigest()


class HostileRepo(Repo):
    """A repository whose info answer a test may rewrite, and whose file names may be anything."""

    info_hook = None  # callable(dict) -> dict | list | anything JSON

    def info(self, commit: str, blobs: bool):
        data = super().info(commit, blobs)
        return self.info_hook(data) if self.info_hook else data

    def add_file(self, name: str, path: Path, lfs: bool | None = None) -> RepoFile:
        blob_id, sha256 = _hashes(path)
        size = path.stat().st_size
        f = RepoFile(name, path, size, blob_id, sha256, lfs=name.endswith((".safetensors", ".bin", ".model"))
                     if lfs is None else lfs)
        self.files[name] = f
        return f


class _HostileHandler(_Handler):
    hub: "HostileHub"

    def _route(self) -> None:
        hub = self.hub
        with hub._lock:
            hub.auth_seen.append((self.path, self.headers.get("Authorization")))
        path = urlsplit(self.path).path
        try:
            if path.startswith("/api/models/") and self.command == "GET" and self._hostile_api(path):
                return
            if "/resolve/" in path and self.command == "GET":
                _repo, _, rest = path.lstrip("/").partition("/resolve/")
                name = unquote(rest.partition("/")[2])
                if self._hostile_file(name):
                    return
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            return
        super()._route()

    # -- the info answer ---------------------------------------------------------------------
    def _hostile_api(self, path: str) -> bool:
        hub = self.hub
        rest = unquote(path[len("/api/models/"):])
        repo_id = "/".join(rest.split("/")[:2])
        if hub.api_stall:
            hub.stalled.set()
            hub._release.wait(60)
            self.close_connection = True
            return True
        if hub.api_flood:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(10 * 2**30))
            self.end_headers()
            self.wfile.write(b'{"id": "x", "pad": "')
            chunk = b" " * (1 << 20)
            sent = 0
            while sent < hub.api_flood and not hub._release.is_set():
                self.wfile.write(chunk)
                sent += len(chunk)
                with hub._lock:
                    hub.api_bytes += len(chunk)
            self.close_connection = True
            return True
        if repo_id in hub.api_raw:
            status, body, headers = hub.api_raw[repo_id]
            self._send(status, body, headers)
            return True
        return False

    # -- file answers ------------------------------------------------------------------------
    def _hostile_file(self, name: str) -> bool:
        hub = self.hub
        with hub._lock:
            status = hub.file_status.get(name)
            if status is not None:
                code, headers, times = status
                if times is not None:
                    if times <= 0:
                        status = None
                    else:
                        hub.file_status[name] = (code, headers, times - 1)
        if status is not None:
            with hub._lock:
                hub.status_sent[name] = hub.status_sent.get(name, 0) + 1
            self._error(status[0], None, f"hostile status {status[0]}", status[1])
            return True
        if name in hub.redirect:
            self._send(302, b"", {"Location": hub.redirect[name]})
            return True
        if name in hub.drip:
            interval = hub.drip[name]
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(2**30))
            self.end_headers()
            hub.stalled.set()
            while not hub._release.is_set():
                self.wfile.write(b"x")
                self.wfile.flush()
                with hub._lock:
                    hub.drip_bytes[name] = hub.drip_bytes.get(name, 0) + 1
                time.sleep(interval)
            self.close_connection = True
            return True
        if name in hub.flood:
            total = hub.flood[name]
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(total))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            chunk = b"\0" * (1 << 20)
            sent = 0
            while sent < total and not hub._release.is_set():
                n = min(len(chunk), total - sent)
                self.wfile.write(chunk[:n])
                sent += n
                with hub._lock:
                    hub.flood_sent[name] = hub.flood_sent.get(name, 0) + n
            self.close_connection = True
            return True
        return False


class HostileHub(HubStandIn):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.api_raw: dict[str, tuple[int, bytes, dict]] = {}
        self.api_stall = False
        self.api_flood = 0
        self.api_bytes = 0
        self.file_status: dict[str, tuple[int, dict, int | None]] = {}
        self.status_sent: dict[str, int] = {}
        self.drip: dict[str, float] = {}
        self.drip_bytes: dict[str, int] = {}
        self.flood: dict[str, int] = {}
        self.flood_sent: dict[str, int] = {}
        self.redirect: dict[str, str] = {}
        self.auth_seen: list[tuple[str, str | None]] = []

        class Handler(_HostileHandler):
            pass

        Handler.hub = self
        self._server.RequestHandlerClass = Handler

    def add_hostile(self, repo_id: str, folder: Path, **kw) -> HostileRepo:
        repo = HostileRepo(repo_id, folder, **kw)
        self.repos[repo_id] = repo
        return repo


# -- fixtures ------------------------------------------------------------------------------------

@pytest.fixture
def hostile(hub_repos):
    """A hostile Hub serving the small safetensors model as SMALL (not gated)."""
    with HostileHub() as h:
        h.add_hostile(SMALL, hub_repos.gated)
        yield h


class Env:
    """One test's world: the Hub cache, Hanashi's data, a HOME and a working folder of its own, so a
    file written anywhere it should not be is seen."""

    def __init__(self, hub: HubStandIn, root: Path):
        self.hub, self.root = hub, root
        self.cache = root / "hf-home" / "hub"
        self.data = root / "data"
        self.models = self.data / "models"
        self.home = root / "home"
        self.cwd = root / "cwd"
        self.src = root / "src"  # files a test makes to serve: not the product's
        for d in (self.home, self.cwd, self.src):
            d.mkdir(parents=True, exist_ok=True)

    def env(self, token: str | None = None, offline: bool = False, **extra) -> dict[str, str]:
        env = _standin_env(self.hub.url, self.root, token=token, offline=offline)
        env.update(HOME=str(self.home), PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(self.home / ".cache"))
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def repo_cache(self, repo_id: str) -> Path:
        return self.cache / ("models--" + repo_id.replace("/", "--"))

    def blobs(self, repo_id: str, suffix: str = "") -> list[Path]:
        folder = self.repo_cache(repo_id) / "blobs"
        return sorted(p for p in folder.iterdir() if p.name.endswith(suffix)) if folder.is_dir() else []

    def strays(self, *allowed: Path) -> list[Path]:
        """Files under the test's root outside the Hub cache, the models folder and ``allowed``:
        none may exist (HOME, the working folder, temp leftovers, partial outputs)."""
        keep = {Path(a) for a in allowed}
        out = []
        for p in self.root.rglob("*"):
            if p.is_dir() and not p.is_symlink():
                continue
            if p.is_relative_to(self.cache) or p.is_relative_to(self.src) or p in keep:
                continue
            if p.is_relative_to(self.models) and p.suffix == ".gguf":
                continue
            if p.is_relative_to(self.data) and not p.is_relative_to(self.models):
                continue  # Hanashi's own settings/logs
            out.append(p)
        return out


@pytest.fixture
def henv(hostile, tmp_path, monkeypatch) -> Env:
    for key in list(os.environ):
        if key.startswith(("HF_", "HUGGINGFACE_")):
            monkeypatch.delenv(key)
    for key, value in hub_vars(hostile.url, tmp_path).items():
        monkeypatch.setenv(key, value)
    return Env(hostile, tmp_path)


# -- running pull --------------------------------------------------------------------------------

@dataclass
class Result:
    rc: int | None  # None: still running at the timeout (killed)
    stdout: str
    stderr: str
    seconds: float


def pull_cli(env: Env, *args, timeout: float = 60, token: str | None = None, offline: bool = False,
             **extra) -> Result:
    cmd = [PYTHON, "-m", "quantize", "pull", *args]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=env.cwd, env=env.env(token=token, offline=offline, **extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        return Result(proc.returncode, out, err, time.monotonic() - t0)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return Result(None, out, err, time.monotonic() - t0)


def no_traceback(text: str) -> None:
    for mark in TRACEBACK_MARKS:
        assert mark not in text, text[-3000:]


def failed(r: Result, *words: str) -> str:
    """Exit 2, one ``error:`` line naming ``words`` (case-insensitive), no traceback, nothing on stdout."""
    assert r.rc is not None, f"hang: still running after {r.seconds:.1f}s\n{r.stderr[-3000:]}"
    assert r.rc == 2, (r.rc, r.stdout[-1000:], r.stderr[-3000:])
    no_traceback(r.stderr)
    lines = [line for line in r.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, r.stderr[-3000:]
    for word in words:
        assert word.lower() in lines[0].lower(), (word, r.stderr[-3000:])
    assert r.stdout.strip() == "", r.stdout
    return lines[0]


def how_to_fix(r: Result) -> str:
    lines = [line for line in r.stderr.splitlines() if "How to fix:" in line]
    assert lines, f"no fix given:\n{r.stderr[-2000:]}"
    return lines[-1]


def pull_in_thread(timeout: float = 30, **kw):
    """``quantize.hub.pull`` on a thread (as a caller with a cancel flag would run it): returns
    (thread, box) where box gets "result" or "error" and "seconds"."""
    from quantize.hub import pull

    box: dict = {}

    def go():
        t0 = time.monotonic()
        try:
            box["result"] = pull(**kw)
        except BaseException as e:  # noqa: BLE001 - the test looks at it
            box["error"] = e
        box["seconds"] = time.monotonic() - t0

    t = threading.Thread(target=go, daemon=True)
    t.start()
    return t, box


# -- the knobs do what they say ------------------------------------------------------------------

def test_knob_api_raw_and_file_status(hostile):
    hostile.api_raw[SMALL] = (200, b"{not json", {})
    hostile.file_status["config.json"] = (503, {}, 1)
    with httpx2.Client() as c:
        assert c.get(f"{hostile.url}/api/models/{SMALL}").content == b"{not json"
        url = f"{hostile.url}/{SMALL}/resolve/main/config.json"
        assert c.get(url).status_code == 503
        assert c.get(url).status_code == 200  # once
        assert json.loads(c.get(url).content)["architectures"] == ["GPTNeoXForCausalLM"]


def test_knob_flood_and_redirect(hostile):
    hostile.flood["config.json"] = 3 * 2**20
    hostile.redirect[WEIGHTS] = "/elsewhere"
    with httpx2.Client() as c:
        r = c.get(f"{hostile.url}/{SMALL}/resolve/main/config.json")
        assert len(r.content) == 3 * 2**20
        r = c.get(f"{hostile.url}/{SMALL}/resolve/main/{WEIGHTS}")
        assert r.status_code == 302 and r.headers["Location"] == "/elsewhere"


FAST = dict(out_type="q8_0", measure_parity=False)
ARGS = ("--type", "q8_0", "--skip-parity")


def _pull(**kw):
    """``quantize.hub.pull`` of the small repo, quickly (q8_0, no parity)."""
    from quantize.hub import pull

    return pull(SMALL, **{**FAST, **kw})
