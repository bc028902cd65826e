"""``hanashi-quantize pull`` end to end: the real command against the Hub stand-in on 127.0.0.1."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quantize.gguf_info import read_metadata
from tests.hub.conftest import EXTRA_FILES, GATED, HOSTILE, MAIN, MISSING, PICKLE, SHARDED, TOKEN, UNSUPPORTED
from tests.hub_standin import closed_port_url, commit_for

ROOT = Path(__file__).resolve().parents[2]
WEIGHTS = "model.safetensors"
DEFAULT_NAME = "rinna-japanese-gpt-neox-3.6b-instruction-ppo-q4_k_m.gguf"


def _cmd(*args) -> list[str]:
    return [sys.executable, "-m", "quantize", "pull", *args]


def run_pull(hub_env, *args, token=None, offline=False, endpoint=None, timeout=120,
             preexec_fn=None) -> subprocess.CompletedProcess:
    return subprocess.run(_cmd(*args), cwd=ROOT, env=hub_env.env(token=token, offline=offline, endpoint=endpoint),
                          capture_output=True, text=True, timeout=timeout, preexec_fn=preexec_fn)


def ok(p: subprocess.CompletedProcess) -> Path:
    """The run succeeded; returns the output path, which is the last line on stdout."""
    assert p.returncode == 0, p.stderr[-3000:]
    assert "Traceback" not in p.stderr
    path = Path(p.stdout.strip().splitlines()[-1])
    assert path.is_file() and path.suffix == ".gguf", p.stdout
    return path


def failed(p: subprocess.CompletedProcess, *words: str) -> str:
    """The run failed with exit 2 and one ``error:`` line (no traceback); returns that line."""
    assert p.returncode == 2, (p.returncode, p.stdout[-1000:], p.stderr[-3000:])
    assert "Traceback" not in p.stderr, p.stderr[-3000:]
    lines = [line for line in p.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, p.stderr[-3000:]
    for word in words:
        assert word.lower() in lines[0].lower(), (word, p.stderr[-3000:])
    assert p.stdout.strip() == "", p.stdout
    return lines[0]


def blobs(hub_env, repo_id: str, suffix: str = "") -> list[Path]:
    folder = hub_env.repo_cache(repo_id) / "blobs"
    return sorted(p for p in folder.iterdir() if p.name.endswith(suffix)) if folder.is_dir() else []


def ggufs(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.gguf")) if folder.is_dir() else []


# -- success -------------------------------------------------------------------------------------

def test_pull_default_output_metadata_cleanup_and_second_pull(hub, hub_env):
    p = run_pull(hub_env, MAIN)
    out = ok(p)
    assert out == hub_env.models / DEFAULT_NAME
    kv = read_metadata(out)
    commit = commit_for(MAIN)
    assert kv["general.source.huggingface.repository"] == MAIN
    assert kv["hanashi.source.revision"] == commit
    assert kv["general.name"] == "japanese-gpt-neox-3.6b-instruction-ppo"
    assert kv["hanashi.family"] == "rinna-instruction"
    # Only what conversion needs was fetched: never the other frameworks' weights or the .bin.
    fetched = hub.fetched(MAIN)
    assert WEIGHTS in fetched and "config.json" in fetched and "spiece.model" in fetched
    assert not fetched & set(EXTRA_FILES), fetched
    size = hub.repos[MAIN].files[WEIGHTS].size
    assert hub.stats(MAIN, WEIGHTS).bytes == size and hub.stats(MAIN, WEIGHTS).gets == 1
    # The checkpoint was removed after the conversion (nothing of the weights is left in the cache).
    snap = hub_env.repo_cache(MAIN) / "snapshots" / commit
    assert not (snap / WEIGHTS).exists()
    assert not [b for b in blobs(hub_env, MAIN) if b.stat().st_size == size]
    assert "Traceback" not in p.stderr and "download" in p.stderr.lower()

    # A second pull of the same revision finds the output and fetches nothing.
    hub.reset_counters()
    p2 = run_pull(hub_env, MAIN)
    assert ok(p2) == out
    assert hub.fetched(MAIN) == set() and hub.bytes_served(MAIN) == 0
    assert read_metadata(out)["hanashi.source.revision"] == commit


def test_keep_download_then_offline_and_cached_repull(hub, hub_env, tmp_path):
    first = tmp_path / "first.gguf"
    ok(run_pull(hub_env, MAIN, "--type", "q8_0", "--keep-download", "--skip-parity", "-o", str(first)))
    commit = commit_for(MAIN)
    snap = hub_env.repo_cache(MAIN) / "snapshots" / commit
    assert (snap / WEIGHTS).is_file() and (snap / "config.json").is_file()
    assert (hub_env.repo_cache(MAIN) / "refs" / "main").read_text().strip() == commit

    # Offline: converts from the cache without a single request.
    hub.reset_counters()
    second = tmp_path / "offline.gguf"
    assert ok(run_pull(hub_env, MAIN, "--type", "q8_0", "--skip-parity", "-o", str(second), offline=True)) == second
    assert hub.requests == []
    assert read_metadata(second)["hanashi.source.revision"] == commit
    assert read_metadata(second)["general.source.huggingface.repository"] == MAIN

    # Online again, same revision, new output: the listing is asked for, no file bytes are fetched.
    third = tmp_path / "again.gguf"
    assert ok(run_pull(hub_env, MAIN, "--type", "q8_0", "--skip-parity", "-o", str(third))) == third
    assert hub.bytes_served(MAIN) == 0 and hub.fetched(MAIN) == set()


def test_explicit_output_and_revision_by_commit(hub, hub_env, tmp_path):
    commit = commit_for(MAIN)
    out = tmp_path / "custom dir" / "mine.gguf"
    out.parent.mkdir()
    p = run_pull(hub_env, MAIN, "--revision", commit, "--type", "q8_0", "--skip-parity", "-o", str(out))
    assert ok(p) == out
    assert read_metadata(out)["hanashi.source.revision"] == commit
    assert read_metadata(out)["general.file_type"] == 7  # MOSTLY_Q8_0
    assert ggufs(hub_env.models) == []  # nothing written to the default place


def test_pickle_only_repo_converts(hub, hub_env):
    out = ok(run_pull(hub_env, PICKLE, "--type", "f16", "--skip-parity"))
    assert out == hub_env.models / "rinna-japanese-gpt-neox-small-instruction-bin-f16.gguf"
    assert "pytorch_model.bin" in hub.fetched(PICKLE)
    kv = read_metadata(out)
    assert kv["general.source.huggingface.repository"] == PICKLE
    assert kv["hanashi.family"] == "rinna-instruction"


def test_sharded_repo_fetches_only_the_shards_its_index_names(hub, hub_env):
    out = ok(run_pull(hub_env, SHARDED, "--type", "f16", "--skip-parity"))
    fetched = hub.fetched(SHARDED)
    assert {"model.safetensors.index.json", "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors"} <= fetched
    assert "model-00003-of-00003.safetensors" not in fetched
    assert "pytorch_model-00001-of-00001.bin" not in fetched
    assert read_metadata(out)["general.source.huggingface.repository"] == SHARDED


def test_hub_redirecting_weights_to_a_cdn(hub, hub_env):
    """The Hub answers LFS files with a redirect to another host; the token stays on the Hub."""
    hub.lfs_redirect = True
    out = ok(run_pull(hub_env, GATED, "--type", "q8_0", "--skip-parity", token=TOKEN))
    assert read_metadata(out)["general.source.huggingface.repository"] == GATED
    assert any(path.startswith("/cdn/") and status == 200 for _, path, status in hub.requests)
    assert hub.stats(GATED, WEIGHTS).bytes == hub.repos[GATED].files[WEIGHTS].size


# -- interrupted downloads -----------------------------------------------------------------------

def test_interrupted_download_resumes_where_it_stopped(hub, hub_env, tmp_path):
    """The connection drops mid-file: the next request asks only for the rest (in the same run,
    through huggingface_hub's own retry, or in the next run from the partial file)."""
    size = hub.repos[MAIN].files[WEIGHTS].size
    cut = 11 * 2**20  # past huggingface_hub's 10 MiB chunk: a part of the file reaches the disk
    assert size > cut
    hub.cut_after[WEIGHTS] = cut
    out = tmp_path / "m.gguf"
    p = run_pull(hub_env, MAIN, "--type", "q8_0", "--skip-parity", "-o", str(out))
    s = hub.stats(MAIN, WEIGHTS)
    assert s.sent[0] == cut and s.ranges[0] == ""
    if p.returncode != 0:  # the run gave up: a partial file stays for the next one
        failed(p)
        partial = blobs(hub_env, MAIN, ".incomplete")
        assert len(partial) == 1 and partial[0].stat().st_size > 0
        p = run_pull(hub_env, MAIN, "--type", "q8_0", "--skip-parity", "-o", str(out))
    assert ok(p) == out
    assert s.gets == 2
    resumed_at = int(s.ranges[1].removeprefix("bytes=").removesuffix("-"))
    assert 0 < resumed_at <= cut
    assert s.sent[1] == size - resumed_at  # the rest only
    assert blobs(hub_env, MAIN, ".incomplete") == []


def test_ctrl_c_keeps_the_partial_download_and_a_rerun_completes(hub, hub_env, tmp_path):
    size = hub.repos[MAIN].files[WEIGHTS].size
    hub.stall_after[WEIGHTS] = 11 * 2**20
    out = tmp_path / "m.gguf"
    args = ("--type", "q8_0", "--skip-parity", "-o", str(out))
    env = hub_env.env()
    env["HF_HUB_DOWNLOAD_TIMEOUT"] = "120"  # the stalled read must not time out (and resume) before Ctrl-C
    proc = subprocess.Popen(_cmd(MAIN, *args), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert hub.stalled.wait(60), "the download never started"
        deadline = time.monotonic() + 15  # the first 10 MiB chunk reaches the partial file
        while time.monotonic() < deadline:
            partial = blobs(hub_env, MAIN, ".incomplete")
            if partial and partial[0].stat().st_size >= 10 * 2**20:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        hub.release()
    assert proc.returncode == 130, stderr[-3000:]
    assert "Traceback" not in stderr and "cancelled" in stderr, stderr[-3000:]
    assert not out.exists() and stdout.strip() == ""
    partial = blobs(hub_env, MAIN, ".incomplete")
    assert len(partial) == 1
    kept = partial[0].stat().st_size
    assert kept >= 10 * 2**20

    p = run_pull(hub_env, MAIN, *args)
    assert ok(p) == out
    s = hub.stats(MAIN, WEIGHTS)
    assert s.ranges[-1] == f"bytes={kept}-" and s.sent[-1] == size - kept
    assert blobs(hub_env, MAIN, ".incomplete") == []


def test_damaged_download_is_refused_and_a_rerun_fetches_it_again(hub, hub_env, tmp_path):
    """Bytes that do not match the sha256 the Hub lists never reach the converter."""
    hub.corrupt.add(WEIGHTS)
    out = tmp_path / "m.gguf"
    args = ("--type", "q8_0", "--skip-parity", "-o", str(out))
    failed(run_pull(hub_env, GATED, *args, token=TOKEN), WEIGHTS, "sha256")
    assert not out.exists()
    assert blobs(hub_env, GATED, ".incomplete") == []  # the damaged part is not resumed from
    assert ok(run_pull(hub_env, GATED, *args, token=TOKEN)) == out
    s = hub.stats(GATED, WEIGHTS)
    assert s.gets == 2 and s.ranges == ["", ""]


def _limit_file_size():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4 * 2**20, 4 * 2**20))


def test_write_failure_while_downloading_is_one_line_and_resumable(hub, hub_env, tmp_path):
    """The kernel refuses to write past a size limit (as on a full disk or a FAT32 stick)."""
    out = tmp_path / "m.gguf"
    args = ("--type", "q8_0", "--skip-parity", "-o", str(out))
    failed(run_pull(hub_env, MAIN, *args, preexec_fn=_limit_file_size))
    assert not out.exists()
    ok(run_pull(hub_env, MAIN, *args))
    assert blobs(hub_env, MAIN, ".incomplete") == []


# -- offline -------------------------------------------------------------------------------------

def test_offline_with_nothing_cached_is_one_clear_line(hub, hub_env):
    line = failed(run_pull(hub_env, MAIN, offline=True), "HF_HUB_OFFLINE", MAIN)
    assert "cache" in line
    assert hub.requests == []
    assert ggufs(hub_env.models) == []


# -- refusals ------------------------------------------------------------------------------------

def test_gated_repo_needs_hf_token(hub, hub_env):
    p = run_pull(hub_env, GATED, "--type", "q8_0", "--skip-parity")
    failed(p, GATED, "gated")
    assert "HF_TOKEN" in p.stderr  # how to set a token
    assert hub.bytes_served(GATED) == 0
    failed(run_pull(hub_env, GATED, "--type", "q8_0", "--skip-parity", token="hf_wrong_token"), GATED)
    assert hub.bytes_served(GATED) == 0
    out = ok(run_pull(hub_env, GATED, "--type", "q8_0", "--skip-parity", token=TOKEN))
    assert read_metadata(out)["general.source.huggingface.repository"] == GATED


@pytest.mark.parametrize("status", [404, 401])
def test_repo_not_found(hub, hub_env, status):
    hub.missing_status = status  # the Hub answers 401 to anonymous requests for missing repos
    line = failed(run_pull(hub_env, MISSING), MISSING, "not found")
    assert "gated" not in line
    assert ggufs(hub_env.models) == []


@pytest.mark.parametrize("repo_id", ["../../etc/passwd", "no-slash", "org/name with space"])
def test_malformed_repo_id(hub, hub_env, repo_id):
    failed(run_pull(hub_env, repo_id), "repository id")
    assert hub.requests == []


def test_unknown_revision(hub, hub_env):
    failed(run_pull(hub_env, MAIN, "--revision", "no-such-branch"), "no-such-branch")
    assert hub.fetched(MAIN) == set()


def test_network_unreachable(hub, hub_env):
    url = closed_port_url()
    t0 = time.monotonic()
    failed(run_pull(hub_env, MAIN, endpoint=url), url.removeprefix("http://"))
    assert time.monotonic() - t0 < 60
    assert ggufs(hub_env.models) == []


def test_not_enough_disk_space_is_refused_before_the_weights(hub, hub_env, hub_repos):
    repo = "rinna/japanese-gpt-neox-huge-instruction"
    hub.add(repo, hub_repos.gated, listed_sizes={WEIGHTS: 2**50})  # the Hub lists a 1 PiB weights file
    p = run_pull(hub_env, repo, "--type", "q8_0", "--skip-parity")
    failed(p, "disk space")
    assert WEIGHTS not in hub.fetched(repo)
    assert ggufs(hub_env.models) == []


def test_unsupported_architecture_is_refused_before_the_weights(hub, hub_env):
    line = failed(run_pull(hub_env, UNSUPPORTED), "MambaForCausalLM", "GPTNeoXForCausalLM", "GPT2LMHeadModel")
    assert "supported" in line
    assert hub.fetched(UNSUPPORTED) <= {"config.json", "README.md", "spiece.model", "tokenizer_config.json",
                                        "special_tokens_map.json"}
    assert hub.stats(UNSUPPORTED, WEIGHTS).gets == 0 and hub.stats(UNSUPPORTED, WEIGHTS).bytes == 0


def test_hostile_pickle_is_refused_and_never_runs(hub, hub_env, hub_repos):
    p = run_pull(hub_env, HOSTILE, "--type", "f16", "--skip-parity")
    line = failed(p, "system")
    assert "posix" in line or "nt" in line
    assert "pytorch_model.bin" in hub.fetched(HOSTILE)  # it was downloaded, read, and refused
    assert not hub_repos.marker.exists()
    assert ggufs(hub_env.models) == []
