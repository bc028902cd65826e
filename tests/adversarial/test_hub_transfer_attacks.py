"""Hostile Hub answers about the *bytes*: wrong sizes, wrong hashes, endless or stalled bodies,
error statuses, redirects, damaged partial files. The download ends in one clear error or in the
right bytes; a cancel stops it within about a second; no damaged bytes are kept or converted."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

from quantize.errors import ConversionCancelled, ConversionError
from tests.adversarial.test_hub_hostile_server import (  # noqa: F401 - fixtures
    ARGS,
    FAST,
    PYTHON,
    SMALL,
    WEIGHTS,
    _pull,
    HostileHub,
    failed,
    henv,
    hostile,
    hub_repos,
    no_traceback,
    pull_cli,
    pull_in_thread,
)
from tests.hub.conftest import GATED, TOKEN



def _size(hub, name=WEIGHTS) -> int:
    return hub.repos[SMALL].files[name].size


def _one_line(e: BaseException) -> None:
    message = getattr(e, "message", str(e))
    assert "\n" not in message and "Traceback" not in message, repr(message)


# -- sizes and hashes ------------------------------------------------------------------------------

def test_listed_size_smaller_than_the_body(hostile, henv):
    hostile.repos[SMALL].listed_sizes[WEIGHTS] = _size(hostile) - 100
    out = henv.root / "out.gguf"
    r = pull_cli(henv, SMALL, *ARGS, "-o", str(out))
    line = failed(r, WEIGHTS)
    assert "force_download" not in r.stderr and "writable" not in r.stderr, r.stderr
    assert not out.exists()
    assert henv.blobs(SMALL, ".incomplete") == []
    assert henv.strays() == [], line


def test_listed_size_larger_than_the_body(hostile, henv):
    hostile.repos[SMALL].listed_sizes[WEIGHTS] = _size(hostile) + 100
    with pytest.raises(ConversionError) as ei:
        _pull(output=henv.root / "out.gguf")
    e = ei.value
    _one_line(e)
    assert WEIGHTS in e.message and "force_download" not in str(e) and "writable" not in e.fix, str(e)
    assert henv.blobs(SMALL, ".incomplete") == []


def test_body_longer_than_content_length_is_cut_at_the_length(hostile, henv, hub_repos):
    """Bytes past Content-Length are not part of the file: the right file arrives, or nothing."""
    real = (hub_repos.gated / WEIGHTS).read_bytes()

    def handler_hook(name):  # the file's own bytes, then junk on the same connection
        return real + b"JUNK" * 1000 if name == WEIGHTS else None

    handler = hostile._server.RequestHandlerClass

    class Trailing(handler):
        def _hostile_file(self, name):
            body = handler_hook(name)
            if body is None or self.headers.get("Range"):
                return super()._hostile_file(name)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(real)))
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
            return True

    hostile._server.RequestHandlerClass = Trailing
    result = _pull(output=henv.root / "out.gguf", keep_download=True)
    assert result.path.is_file()
    snap = henv.repo_cache(SMALL) / "snapshots" / result.commit / WEIGHTS
    assert snap.read_bytes() == real


def test_body_far_longer_than_the_listed_size_is_cut_off(hostile, henv):
    hostile.flood["config.json"] = 160 * 2**20  # Content-Length says so too
    with pytest.raises(ConversionError) as ei:
        _pull(output=henv.root / "out.gguf")
    _one_line(ei.value)
    assert hostile.flood_sent["config.json"] < 40 * 2**20, f"{hostile.flood_sent['config.json'] / 2**20:.0f} MiB"


def test_wrong_sha256_for_an_lfs_file_then_recovery(hostile, henv):
    hostile.corrupt.add(WEIGHTS)
    with pytest.raises(ConversionError) as ei:
        _pull(output=henv.root / "out.gguf")
    assert "sha256" in ei.value.message and WEIGHTS in ei.value.message
    assert henv.blobs(SMALL, ".incomplete") == []
    assert not (henv.root / "out.gguf").exists()
    assert _pull(output=henv.root / "out.gguf").path.is_file()


def test_damaged_small_file_is_not_kept_and_a_rerun_recovers(hostile, henv):
    hostile.corrupt.add("config.json")
    try:
        _pull(output=henv.root / "out.gguf")
    except ConversionError:
        pass
    assert _pull(output=henv.root / "out.gguf").path.is_file()


def _tamper(real: bytes) -> bytes:
    """Valid JSON of the same size that says something else (another unknown-token)."""
    tampered = real.replace(b'"unk_token": "[UNK]"', b'"unk_token": "[PAD]"')
    assert len(tampered) == len(real) and tampered != real
    return tampered


def test_same_size_tampered_small_file_is_refused(hostile, henv, hub_repos):
    real = (hub_repos.gated / "tokenizer_config.json").read_bytes()
    tampered = _tamper(real)
    path = henv.src / "tokenizer_config.json"
    path.write_bytes(tampered)
    f = hostile.repos[SMALL].files["tokenizer_config.json"]
    hostile.repos[SMALL].files["tokenizer_config.json"] = type(f)(f.name, path, f.size, f.blob_id, f.sha256, f.lfs)
    with pytest.raises(ConversionError):
        _pull(output=henv.root / "out.gguf")


# -- pre-existing partial files --------------------------------------------------------------------

def _incomplete(hub, henv, name=WEIGHTS):
    f = hub.repos[SMALL].files[name]
    folder = henv.repo_cache(SMALL) / "blobs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{f.sha256 if f.lfs else f.blob_id}.incomplete"


def test_incomplete_larger_than_the_file_starts_again(hostile, henv):
    part = _incomplete(hostile, henv)
    part.write_bytes(b"\0" * (_size(hostile) + 4096))
    assert _pull(output=henv.root / "out.gguf").path.is_file()
    assert hostile.stats(SMALL, WEIGHTS).ranges == [""]
    assert henv.blobs(SMALL, ".incomplete") == []


def test_incomplete_with_wrong_content_is_caught_and_the_next_pull_recovers(hostile, henv):
    part = _incomplete(hostile, henv)
    part.write_bytes(b"\x5a" * (_size(hostile) // 2))
    with pytest.raises(ConversionError) as ei:
        _pull(output=henv.root / "out.gguf")
    assert "sha256" in ei.value.message
    assert not part.exists()
    assert _pull(output=henv.root / "out.gguf").path.is_file()


def test_incomplete_of_full_size_with_wrong_content_is_caught(hostile, henv):
    part = _incomplete(hostile, henv)
    part.write_bytes(b"\x5a" * _size(hostile))
    with pytest.raises(ConversionError) as ei:
        _pull(output=henv.root / "out.gguf")
    assert "sha256" in ei.value.message
    assert _pull(output=henv.root / "out.gguf").path.is_file()


def test_incomplete_small_file_of_full_size_with_wrong_content_is_caught(hostile, henv, hub_repos):
    real = (hub_repos.gated / "tokenizer_config.json").read_bytes()
    part = _incomplete(hostile, henv, "tokenizer_config.json")
    part.write_bytes(_tamper(real))  # valid JSON, not what the Hub lists
    try:
        result = _pull(output=henv.root / "out.gguf", keep_download=True)
    except ConversionError:
        return
    placed = henv.repo_cache(SMALL) / "snapshots" / result.commit / "tokenizer_config.json"
    assert placed.read_bytes() == real


def test_incomplete_that_is_a_directory_is_one_clear_error(hostile, henv):
    part = _incomplete(hostile, henv)
    part.mkdir()
    with pytest.raises(ConversionError) as ei:
        _pull(output=henv.root / "out.gguf")
    _one_line(ei.value)


# -- statuses and redirects ------------------------------------------------------------------------

@pytest.mark.parametrize("status", [500, 503, 404, 410])
def test_error_status_for_the_weights_is_one_line(hostile, henv, status):
    hostile.file_status[WEIGHTS] = (status, {}, None)
    out = henv.root / "out.gguf"
    r = pull_cli(henv, SMALL, *ARGS, "-o", str(out), timeout=60)
    failed(r, SMALL)
    assert not out.exists() and henv.strays() == []


def test_429_once_then_the_file(hostile, henv):
    hostile.file_status[WEIGHTS] = (429, {"Retry-After": "0"}, 1)
    assert _pull(output=henv.root / "out.gguf").path.is_file()
    assert hostile.status_sent[WEIGHTS] == 1


def test_ctrl_c_during_rate_limit_waits_exits_130(hostile, henv):
    hostile.file_status[WEIGHTS] = (429, {"Retry-After": "25"}, None)  # short enough to be waited out
    proc = subprocess.Popen([PYTHON, "-m", "quantize", "pull", SMALL, *ARGS, "-o", str(henv.root / "o.gguf")],
                            cwd=henv.cwd, env=henv.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not hostile.status_sent.get(WEIGHTS) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert hostile.status_sent.get(WEIGHTS), "the weights were never asked for"
        time.sleep(0.3)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        assert time.monotonic() - t0 < 2.5
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err[-2000:]
    no_traceback(err)
    assert "cancelled" in err and out.strip() == ""


def test_rate_limit_with_an_hour_retry_after_ends_in_a_clear_error(hostile, henv):
    hostile.file_status[WEIGHTS] = (429, {"Retry-After": "3600"}, None)
    r = pull_cli(henv, SMALL, *ARGS, "-o", str(henv.root / "o.gguf"), timeout=8)
    failed(r, SMALL)


def test_redirect_loop_is_one_line(hostile, henv):
    hostile.redirect[WEIGHTS] = f"{hostile.url}/{SMALL}/resolve/main/{WEIGHTS}"
    r = pull_cli(henv, SMALL, *ARGS, "-o", str(henv.root / "o.gguf"), timeout=60)
    failed(r)
    assert henv.strays() == []


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://x"])
def test_redirect_to_another_scheme_is_one_line(hostile, henv, location):
    hostile.redirect[WEIGHTS] = location
    with pytest.raises(ConversionError) as ei:
        _pull(output=henv.root / "o.gguf")
    _one_line(ei.value)
    assert "protocol" in ei.value.message, str(ei.value)
    size = _size(hostile)
    assert not [b for b in henv.blobs(SMALL) if b.stat().st_size >= size // 2], henv.blobs(SMALL)


def test_redirect_to_another_host_gets_no_token(hub_repos, tmp_path, monkeypatch):
    """The Hub's CDN redirect (127.0.0.1 → localhost) must not carry HF_TOKEN."""
    from tests.adversarial.test_hub_hostile_server import Env
    from tests.hub_standin import hub_vars

    with HostileHub(lfs_redirect=True) as hub:
        hub.add(GATED, hub_repos.gated, gated=True, token=TOKEN)
        for k, v in hub_vars(hub.url, tmp_path).items():
            monkeypatch.setenv(k, v)
        monkeypatch.setenv("HF_TOKEN", TOKEN)
        env = Env(hub, tmp_path)
        from quantize.hub import pull

        result = pull(GATED, output=env.root / "o.gguf", **FAST)
        assert result.path.is_file()
        cdn = [(p, a) for p, a in hub.auth_seen if p.startswith("/cdn/")]
        assert cdn, hub.auth_seen
        assert all(a is None for _, a in cdn), cdn
        assert any(a == f"Bearer {TOKEN}" for p, a in hub.auth_seen if "/resolve/" in p)


# -- stalls and drips: cancel ----------------------------------------------------------------------

def test_ctrl_c_while_the_server_drips_bytes_exits_130_at_once(hostile, henv):
    hostile.drip[WEIGHTS] = 0.2
    out = henv.root / "o.gguf"
    proc = subprocess.Popen([PYTHON, "-m", "quantize", "pull", SMALL, *ARGS, "-o", str(out)], cwd=henv.cwd,
                            env=henv.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert hostile.stalled.wait(30), "the download never started"
        time.sleep(0.5)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=10)
        took = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        hostile.release()
    assert proc.returncode == 130, stderr[-2000:]
    assert took < 2.0, took
    no_traceback(stderr)
    assert "partial download is kept" in stderr and stdout.strip() == ""
    assert not out.exists() and henv.strays() == []


def test_api_cancel_while_the_server_drips_bytes(hostile, henv):
    hostile.drip[WEIGHTS] = 0.2
    flag = {"stop": False}
    t, box = pull_in_thread(repo_id=SMALL, output=henv.root / "o.gguf", cancelled=lambda: flag["stop"], **FAST)
    try:
        assert hostile.stalled.wait(30)
        time.sleep(0.3)
        flag["stop"] = True
        t.join(3)
        assert not t.is_alive(), "still downloading 3 s after cancel"
        assert isinstance(box.get("error"), ConversionCancelled), box
    finally:
        hostile.release()
        t.join(30)


def test_api_cancel_while_the_server_stalls_mid_file(hostile, henv):
    hostile.stall_after[WEIGHTS] = 1000
    flag = {"stop": False}
    t, box = pull_in_thread(repo_id=SMALL, output=henv.root / "o.gguf", cancelled=lambda: flag["stop"], **FAST)
    try:
        assert hostile.stalled.wait(30)
        time.sleep(0.3)
        flag["stop"] = True
        t.join(3)
        assert not t.is_alive(), "still downloading 3 s after cancel"
        assert isinstance(box.get("error"), ConversionCancelled), box
    finally:
        hostile.release()
        t.join(60)


def test_api_that_never_answers_ends_in_a_network_error(hostile, henv):
    hostile.api_stall = True
    try:
        r = pull_cli(henv, SMALL, *ARGS, timeout=9, HF_HUB_ETAG_TIMEOUT=2, HF_HUB_DOWNLOAD_TIMEOUT=2)
    finally:
        hostile.release()
    failed(r, "127.0.0.1")


def test_ctrl_c_while_the_api_never_answers_exits_130(hostile, henv):
    hostile.api_stall = True
    proc = subprocess.Popen([PYTHON, "-m", "quantize", "pull", SMALL, *ARGS], cwd=henv.cwd, env=henv.env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert hostile.stalled.wait(30)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=10)
        assert time.monotonic() - t0 < 2.0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        hostile.release()
    assert proc.returncode == 130, err[-2000:]
    no_traceback(err)


# -- sizes that cannot fit -------------------------------------------------------------------------

@pytest.mark.parametrize("name", [WEIGHTS, "README.md", "tokenizer_config.json"])
@pytest.mark.parametrize("size", [2**40, 2**62])
def test_terabyte_listed_sizes_are_refused_before_any_byte(hostile, henv, name, size):
    if name == "README.md":
        (henv.src / "README.md").write_text("# hi\n")
        hostile.repos[SMALL].add_file("README.md", henv.src / "README.md")
    hostile.repos[SMALL].listed_sizes[name] = size
    with pytest.raises(ConversionError) as ei:
        _pull(output=henv.root / "out.gguf")
    e = ei.value
    _one_line(e)
    assert "disk space" in e.message and "HF_HOME" in e.fix
    assert hostile.bytes_served(SMALL, {name, WEIGHTS}) == 0
    assert henv.strays() == []


@pytest.mark.parametrize("size", [2**40, 2**62])
def test_terabyte_config_json_is_refused_by_name(hostile, henv, size):
    hostile.repos[SMALL].listed_sizes["config.json"] = size
    with pytest.raises(ConversionError) as ei:
        _pull(output=henv.root / "out.gguf")
    e = ei.value
    _one_line(e)
    assert "config.json" in e.message and "hf_xet" not in str(e) and "pull again" not in e.fix, str(e)


def test_config_json_shorter_than_listed_names_the_mismatch(hostile, henv):
    hostile.repos[SMALL].listed_sizes["config.json"] = 30 * 2**20
    with pytest.raises(ConversionError) as ei:
        _pull(output=henv.root / "out.gguf")
    e = ei.value
    _one_line(e)
    assert "config.json" in e.message and "writable" not in e.fix, str(e)
    assert hostile.stats(SMALL, WEIGHTS).gets == 0
