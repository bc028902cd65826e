"""A damaged Hub cache (offline), hostile output paths, an output that only looks converted, and
two pulls of one repository at once."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from quantize.errors import ConversionError
from quantize.gguf_info import read_metadata
from tests.adversarial.test_hub_hostile_server import (  # noqa: F401 - fixtures
    ARGS,
    PYTHON,
    SMALL,
    WEIGHTS,
    _pull,
    failed,
    henv,
    hostile,
    hub_repos,
    no_traceback,
    pull_cli,
)



def _one_line(e: BaseException) -> None:
    message = getattr(e, "message", str(e))
    assert "\n" not in message and "Traceback" not in message, repr(message)


@pytest.fixture
def kept(hostile, henv):
    """A pull with --keep-download: the snapshot (commit, folder) is in the cache."""
    result = _pull(output=henv.src / "first.gguf", keep_download=True)
    snap = henv.repo_cache(SMALL) / "snapshots" / result.commit
    assert (snap / WEIGHTS).is_file()
    hostile.reset_counters()
    return result.commit, snap


def _offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


# -- offline with a damaged cache ------------------------------------------------------------------

@pytest.mark.parametrize("garbage", [b"not a commit", b"", b"\xff\xfe", b"../../../../etc", b"a" * 39, b"A" * 40])
def test_offline_with_a_garbage_ref_says_nothing_is_cached(hostile, henv, kept, monkeypatch, garbage):
    (henv.repo_cache(SMALL) / "refs" / "main").write_bytes(garbage)
    _offline(monkeypatch)
    from quantize.hub import HubError

    with pytest.raises(HubError) as ei:
        _pull(output=henv.root / "o.gguf")
    assert ei.value.kind == "offline" and SMALL in ei.value.message and "HF_HUB_OFFLINE" in ei.value.fix
    assert hostile.requests == []


def test_offline_with_a_ref_that_is_a_directory(hostile, henv, kept, monkeypatch):
    ref = henv.repo_cache(SMALL) / "refs" / "main"
    ref.unlink()
    ref.mkdir()
    _offline(monkeypatch)
    with pytest.raises(ConversionError) as ei:
        _pull(output=henv.root / "o.gguf")
    _one_line(ei.value)
    assert hostile.requests == []


def test_offline_broken_config_link_names_the_damaged_cache(hostile, henv, kept, monkeypatch):
    _commit, snap = kept
    (snap / "config.json").resolve().unlink()
    _offline(monkeypatch)
    with pytest.raises(ConversionError) as ei:
        _pull(output=henv.root / "o.gguf")
    e = ei.value
    _one_line(e)
    assert "config.json" in e.message and "cache" in str(e).lower() and "HF_HUB_OFFLINE" in e.fix, str(e)


def test_offline_weights_blob_replaced_by_a_folder_names_the_damaged_cache(hostile, henv, kept, monkeypatch):
    _commit, snap = kept
    blob = (snap / WEIGHTS).resolve()
    blob.unlink()
    blob.mkdir()
    _offline(monkeypatch)
    with pytest.raises(ConversionError) as ei:
        _pull(output=henv.root / "o.gguf")
    e = ei.value
    _one_line(e)
    assert WEIGHTS in e.message and "cache" in str(e).lower() and "HF_HUB_OFFLINE" in e.fix, str(e)


@pytest.mark.parametrize("damage", ["broken config link", "weights blob a folder", "weights blob truncated",
                                    "weights link loop", "snapshot a file"])
def test_offline_damaged_cache_is_one_line_through_the_cli(hostile, henv, kept, damage):
    commit, snap = kept
    if damage == "broken config link":
        (snap / "config.json").resolve().unlink()
    elif damage == "weights blob a folder":
        blob = (snap / WEIGHTS).resolve()
        blob.unlink()
        blob.mkdir()
    elif damage == "weights blob truncated":
        blob = (snap / WEIGHTS).resolve()
        os.truncate(blob, blob.stat().st_size // 3)
    elif damage == "weights link loop":
        (snap / WEIGHTS).unlink()
        os.symlink(WEIGHTS, snap / WEIGHTS)
    else:
        shutil.rmtree(snap)
        snap.write_text("not a folder")
    out = henv.root / "o.gguf"
    r = pull_cli(henv, SMALL, *ARGS, "-o", str(out), offline=True)
    failed(r)
    assert not out.exists() and hostile.requests == []
    assert henv.strays() == []


# -- output paths ----------------------------------------------------------------------------------

def test_output_that_is_a_directory_is_refused_before_the_weights(hostile, henv):
    out = henv.root / "a-folder.gguf"
    out.mkdir()
    r = pull_cli(henv, SMALL, *ARGS, "-o", str(out))
    failed(r, "folder")
    assert hostile.stats(SMALL, WEIGHTS).gets == 0
    assert out.is_dir() and not any(out.iterdir())


def test_output_in_a_missing_folder_is_refused_before_the_weights(hostile, henv):
    r = pull_cli(henv, SMALL, *ARGS, "-o", str(henv.root / "nope" / "o.gguf"))
    failed(r, "does not exist")
    assert hostile.stats(SMALL, WEIGHTS).gets == 0


def test_output_that_is_an_existing_non_gguf_file_is_refused_before_the_weights(hostile, henv):
    out = henv.root / "notes.txt"
    out.write_text("my notes\n")
    r = pull_cli(henv, SMALL, *ARGS, "-o", str(out))
    assert out.read_text() == "my notes\n"
    failed(r, "not a GGUF")
    assert "--force" in r.stderr  # pull has the option the fix names
    assert hostile.stats(SMALL, WEIGHTS).gets == 0


def test_output_that_is_an_existing_non_gguf_file_is_never_replaced(hostile, henv):
    out = henv.root / "notes.txt"
    out.write_text("my notes\n")
    failed(pull_cli(henv, SMALL, *ARGS, "-o", str(out)))
    assert out.read_text() == "my notes\n"


@pytest.mark.parametrize("which", ["snapshot config", "snapshot weights", "weights blob", "tokenizer model"])
def test_output_that_is_a_file_of_the_cache_is_refused(hostile, henv, kept, which):
    commit, snap = kept
    target = {"snapshot config": snap / "config.json", "snapshot weights": snap / WEIGHTS,
              "weights blob": (snap / WEIGHTS).resolve(), "tokenizer model": snap / "spiece.model"}[which]
    before = target.read_bytes()
    r = pull_cli(henv, SMALL, *ARGS, "--keep-download", "-o", str(target))
    failed(r)
    assert target.read_bytes() == before
    assert henv.strays() == []


# -- an output that only looks converted -----------------------------------------------------------

def test_truncated_output_is_not_taken_as_up_to_date(hostile, henv):
    out = henv.root / "o.gguf"
    first = _pull(output=out, keep_download=True)
    os.truncate(out, out.stat().st_size // 2)
    again = _pull(output=out)
    assert not again.up_to_date
    assert out.stat().st_size > 0 and read_metadata(out)["hanashi.source.revision"] == first.commit


# -- two pulls at once -----------------------------------------------------------------------------

def test_two_pulls_of_the_same_repo_at_once(hostile, henv):
    hostile.stall_after[WEIGHTS] = 100_000  # the first one holds the weights until both are running
    outs = [henv.root / "a.gguf", henv.root / "b.gguf"]
    procs = [subprocess.Popen([PYTHON, "-m", "quantize", "pull", SMALL, *ARGS, "-o", str(o)], cwd=henv.cwd,
                              env=henv.env(HF_HUB_DOWNLOAD_TIMEOUT=2), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for o in outs]
    try:
        assert hostile.stalled.wait(30)
        import time

        time.sleep(1.0)
        hostile.release()
        results = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
    for p, (out, err), o in zip(procs, results, outs):
        no_traceback(err)
        assert p.returncode == 0, err[-3000:]
        assert out.strip().splitlines()[-1] == str(o)
        assert read_metadata(o)["general.source.huggingface.repository"] == SMALL
    assert henv.blobs(SMALL, ".incomplete") == []
    assert henv.strays(*outs) == []
