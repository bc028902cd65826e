"""``quantize.hub.pull`` called in this process (as the app's worker does), against the Hub stand-in."""

from __future__ import annotations

import pytest

from quantize.errors import ConversionCancelled
from quantize.gguf_info import read_metadata
from tests.hub.conftest import MAIN, MISSING
from tests.hub_standin import commit_for

WEIGHTS = "model.safetensors"


def test_progress_stages_and_result(hub, hub_env):
    from quantize.hub import pull

    seen: list[tuple[str, int, int, str]] = []
    result = pull(MAIN, out_type="q8_0", progress=lambda *a: seen.append(a))
    assert result.path == hub_env.models / "rinna-japanese-gpt-neox-3.6b-instruction-ppo-q8_0.gguf"
    assert result.repo_id == MAIN and result.commit == commit_for(MAIN)
    assert result.family == "rinna-instruction" and result.out_type == "q8_0" and not result.up_to_date
    assert result.removed_download and result.downloaded >= hub.repos[MAIN].files[WEIGHTS].size
    assert result.parity_exact is True and "tokenizer parity" in result.parity_report
    stages = [s for s, *_ in seen]
    firsts = [s for i, s in enumerate(stages) if i == 0 or stages[i - 1] != s]
    assert firsts == ["download", "parity", "write", "quantize"], firsts
    downloads = [(done, total) for s, done, total, _ in seen if s == "download"]
    assert downloads[-1][0] == downloads[-1][1] > 0
    assert all(a[0] <= b[0] for a, b in zip(downloads, downloads[1:]))  # never goes backwards
    assert read_metadata(result.path)["hanashi.source.revision"] == result.commit

    again = pull(MAIN, out_type="q8_0")
    assert again.up_to_date and again.downloaded == 0 and again.path == result.path


def test_cancel_during_download_keeps_the_partial_file(hub, hub_env):
    from quantize.hub import pull

    flag = {"stop": False}

    def progress(stage, done, total, detail):
        if stage == "download" and detail == WEIGHTS:  # a first chunk of the weights is on disk
            flag["stop"] = True

    hub.stall_after[WEIGHTS] = 1 << 20  # the server sends 1 MiB of the weights, then waits
    with pytest.raises(ConversionCancelled):
        pull(MAIN, out_type="q8_0", progress=progress, cancelled=lambda: flag["stop"], measure_parity=False)
    hub.release()
    sha256 = hub.repos[MAIN].files[WEIGHTS].sha256
    partial = hub_env.repo_cache(MAIN) / "blobs" / f"{sha256}.incomplete"
    kept = partial.stat().st_size
    assert kept > 0
    assert not list(hub_env.models.glob("*.gguf"))

    result = pull(MAIN, out_type="q8_0", measure_parity=False)
    s = hub.stats(MAIN, WEIGHTS)
    assert s.ranges[-1] == f"bytes={kept}-" and s.sent[-1] == hub.repos[MAIN].files[WEIGHTS].size - kept
    assert result.path.is_file()


def test_missing_repo_is_a_hub_error(hub, hub_env):
    from quantize.hub import HubError, pull

    with pytest.raises(HubError) as e:
        pull(MISSING)
    assert e.value.kind == "not_found" and MISSING in str(e.value)
    assert "\n" not in e.value.message
