"""Hostile Hub answers about *what* to fetch: file names, listings, commit ids, repo ids and
revisions, config.json. Each ends in one clear error (what, where, how to fix) before anything is
written outside the Hub cache, or is handled correctly; nothing wrong is accepted silently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quantize.errors import ConversionError
from tests.adversarial.test_hub_hostile_server import (  # noqa: F401 - fixtures
    FAST,
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
from tests.hub_standin import commit_for



def _one_line(e: BaseException) -> None:
    message = getattr(e, "message", str(e))
    assert "\n" not in message and "Traceback" not in message, repr(message)
    assert len(message) < 600, message


def _refused(kind: str | None = None, **kw):
    from quantize.hub import HubError

    with pytest.raises(ConversionError) as ei:
        _pull(**kw)
    e = ei.value
    _one_line(e)
    if kind is not None:
        assert isinstance(e, HubError) and e.kind == kind, (type(e).__name__, getattr(e, "kind", None), str(e))
    assert e.fix, str(e)
    return e


# -- file names that point outside the snapshot ----------------------------------------------------

ESCAPES = ("../../../../escape-rel.safetensors", "sub/../../../escape-sub.safetensors",
           "/tmp/hanashi-escape-abs.safetensors", "./../escape-dot.safetensors")


def test_listed_names_with_dot_dot_or_absolute_paths_write_nothing_outside(hostile, henv, hub_repos):
    repo = hostile.repos[SMALL]
    for name in ESCAPES:
        repo.add_file(name, hub_repos.gated / WEIGHTS)
    out = henv.root / "out.gguf"
    r = pull_cli(henv, SMALL, "--type", "q8_0", "--skip-parity", "-o", str(out))
    no_traceback(r.stderr)
    assert r.rc == 0, r.stderr[-2000:]
    assert not hostile.fetched(SMALL) & set(ESCAPES)
    assert henv.strays(out) == []
    assert not Path("/tmp/hanashi-escape-abs.safetensors").exists()
    for p in henv.root.parent.glob("escape-*"):
        pytest.fail(f"written outside the test's folder: {p}")


def test_listed_name_with_backslashes_is_not_fetched(hostile, henv, hub_repos):
    name = "..\\..\\..\\escape-backslash.safetensors"
    hostile.repos[SMALL].add_file(name, hub_repos.gated / WEIGHTS)
    try:
        _pull(output=henv.root / "out.gguf")
    except ConversionError as e:
        _one_line(e)
    assert name not in hostile.fetched(SMALL)


@pytest.mark.parametrize("target", ["../../escape.safetensors", "/tmp/hanashi-escape.safetensors",
                                    "sub/model.safetensors", "config.json", "..\\model.safetensors"])
def test_weight_index_pointing_outside_is_refused(hostile, henv, hub_repos, tmp_path, target):
    repo = hostile.repos[SMALL]
    index = henv.src / "model.safetensors.index.json"
    index.write_text(json.dumps({"metadata": {}, "weight_map": {"gpt_neox.embed_in.weight": target}}))
    repo.add_file("model.safetensors.index.json", index)
    if "/" in target and not target.startswith("/"):
        repo.add_file(target, hub_repos.gated / WEIGHTS)  # the listing even has it
    e = _refused(output=henv.root / "out.gguf")
    assert "index" in str(e).lower() or "missing" in str(e).lower(), str(e)
    assert WEIGHTS not in hostile.fetched(SMALL)
    assert henv.strays() == []
    assert not Path("/tmp/hanashi-escape.safetensors").exists()


# -- the info answer -------------------------------------------------------------------------------

def test_invalid_json_from_the_api_is_one_clear_line(hostile, henv):
    hostile.api_raw[SMALL] = (200, b'{"id": "x", "sha": ', {})
    r = pull_cli(henv, SMALL)
    line = failed(r, hostile.url.removeprefix("http://"))
    assert "HF_ENDPOINT" in r.stderr
    assert hostile.fetched(SMALL) == set()
    assert henv.strays() == [], line


def _shape(fn):
    def hook(data):
        out = fn(dict(data))
        return out
    return hook


def _siblings(fn):
    return _shape(lambda d: {**d, "siblings": [fn(dict(s)) for s in d["siblings"]]})


SHAPES = {
    "top-level list": _shape(lambda d: [d]),
    "top-level string": _shape(lambda d: "hello"),
    "siblings a dict": _shape(lambda d: {**d, "siblings": {"rfilename": "config.json"}}),
    "siblings a string": _shape(lambda d: {**d, "siblings": "config.json"}),
    "siblings of numbers": _shape(lambda d: {**d, "siblings": [1, 2, 3]}),
    "rfilename a number": _siblings(lambda s: {**s, "rfilename": 7}),
    "rfilename null": _siblings(lambda s: {**s, "rfilename": None}),
    "rfilename missing": _siblings(lambda s: {k: v for k, v in s.items() if k != "rfilename"}),
    "size a string": _siblings(lambda s: {**s, "size": "12"}),
    "size negative": _siblings(lambda s: {**s, "size": -5}),
    "size a float": _siblings(lambda s: {**s, "size": 1.5}),
    "lfs a string": _siblings(lambda s: {**s, "lfs": "yes"} if "lfs" in s else s),
    "lfs sha256 not hex": _siblings(lambda s: {**s, "lfs": {**s["lfs"], "sha256": "../" * 21 + "a"}}
                                    if "lfs" in s else s),
    "blobId a path": _siblings(lambda s: {**s, "blobId": "../../../../etc/passwd"}),
    "no sizes at all": _siblings(lambda s: {"rfilename": s["rfilename"]}),
    "sha a number": _shape(lambda d: {**d, "sha": 1234567890}),
    "sha a list": _shape(lambda d: {**d, "sha": ["a" * 40]}),
    "sha a dict": _shape(lambda d: {**d, "sha": {"a": 1}}),
    "sha short": _shape(lambda d: {**d, "sha": "abc123"}),
    "sha 41 hex": _shape(lambda d: {**d, "sha": "a" * 41}),
    "sha upper-case hex": _shape(lambda d: {**d, "sha": d["sha"].upper()}),
    "sha a path": _shape(lambda d: {**d, "sha": "../../../../../../../../../../../../../x"}),
    "sha null": _shape(lambda d: {**d, "sha": None}),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_wrong_shape_json_from_the_api_is_refused(hostile, henv, shape):
    hostile.repos[SMALL].info_hook = SHAPES[shape]
    _refused(output=henv.root / "out.gguf")
    assert WEIGHTS not in hostile.fetched(SMALL)
    assert henv.strays() == []
    assert not list(henv.cache.rglob("snapshots/*/*/")), "a snapshot folder outside the commit layout"
    for p in henv.cache.rglob("*"):
        assert p.resolve().is_relative_to(henv.cache.resolve()), p


def test_wrong_shape_sha_through_the_cli_has_no_traceback(hostile, henv):
    hostile.repos[SMALL].info_hook = SHAPES["sha short"]
    failed(pull_cli(henv, SMALL, "--type", "q8_0", "--skip-parity"), SMALL)


def test_numeric_sha_through_the_cli_has_no_traceback(hostile, henv):
    hostile.repos[SMALL].info_hook = SHAPES["sha a number"]
    failed(pull_cli(henv, SMALL, "--type", "q8_0", "--skip-parity"), SMALL)


def test_huge_listing_is_handled_in_bounded_time(hostile, henv):
    extra = [{"rfilename": f"junk/{i:06d}.bin", "size": 1, "blobId": "a" * 40} for i in range(150_000)]
    hostile.repos[SMALL].info_hook = _shape(lambda d: {**d, "siblings": d["siblings"] + extra})
    import time

    t0 = time.monotonic()
    result = _pull(output=henv.root / "out.gguf")
    assert time.monotonic() - t0 < 30
    assert result.path.is_file()
    assert not any(n.startswith("junk/") for n in hostile.fetched(SMALL))


def test_endless_json_listing_is_cut_off(hostile, henv):
    hostile.api_flood = 160 * 2**20
    with pytest.raises(ConversionError) as ei:
        _pull(output=henv.root / "out.gguf")
    _one_line(ei.value)
    assert hostile.api_bytes < 80 * 2**20, f"read {hostile.api_bytes / 2**20:.0f} MiB of a listing"


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_api_error_status_is_a_network_error(hostile, henv, status):
    hostile.api_raw[SMALL] = (status, b'{"error": "boom"}', {"Retry-After": "1"})
    e = _refused("network", output=henv.root / "out.gguf")
    assert str(status) in e.message and SMALL in e.message
    assert hostile.fetched(SMALL) == set()


# -- the commit ------------------------------------------------------------------------------------

def test_pinned_commit_answered_with_another_commit_is_refused(hostile, henv):
    asked = commit_for(SMALL)
    other = "b" * 40
    hostile.repos[SMALL].revisions[other] = other
    hostile.repos[SMALL].info_hook = _shape(lambda d: {**d, "sha": other})
    with pytest.raises(ConversionError) as ei:
        _pull(revision=asked, output=henv.root / "out.gguf")
    _one_line(ei.value)
    assert WEIGHTS not in hostile.fetched(SMALL)


# -- repo ids and revisions ------------------------------------------------------------------------

BAD_IDS = ["", "/", "no-slash", "a/b/c", "../../etc/passwd", "rinna/..", "rinna/../x", "./x", "rinna/x y",
           "rinna/日本語", "ｒｉｎｎａ/x", "rinna/x\x00", "rinna/x\ny", "rinna/x?revision=y", "rinna/x#y",
           "rinna/%2e%2e", "http://evil.example/rinna/x", "https://huggingface.co/rinna/x/tree/main",
           "rinna/" + "x" * 300, "-rf/x", "rinna/x;rm -rf ~", "rinna\\x", "C:\\rinna\\x", "~/x"]
# The Hub itself refuses these (huggingface_hub.utils.validate_repo_id); Hanashi passes them on.
HUB_INVALID = ["rinna/x--y", "rinna/x-", "rinna/x.", "rinna/x.git"]


@pytest.mark.parametrize("repo_id", BAD_IDS)
def test_odd_repo_id_is_refused_before_any_request(hostile, henv, repo_id):
    from quantize.hub import HubError, pull

    with pytest.raises(HubError) as ei:
        pull(repo_id, **FAST)
    assert ei.value.kind == "not_found" and "repository id" in ei.value.message and "ORG/NAME" in ei.value.fix
    _one_line(ei.value)
    assert hostile.requests == []
    assert not henv.cache.exists() or not any(henv.cache.iterdir())


@pytest.mark.parametrize("repo_id", HUB_INVALID)
def test_repo_id_the_hub_forbids_is_named_as_a_bad_id(hostile, henv, repo_id):
    from quantize.hub import HubError, pull

    with pytest.raises(HubError) as ei:
        pull(repo_id, **FAST)
    assert "repository id" in ei.value.message, str(ei.value)
    assert "HF_ENDPOINT" not in str(ei.value)


def test_repo_id_as_a_hub_url_is_accepted(hostile, henv):
    result = _pull_id(f"https://huggingface.co/{SMALL}/", henv)
    assert result.repo_id == SMALL


def _pull_id(repo_id, henv):
    from quantize.hub import pull

    return pull(repo_id, output=henv.root / "out.gguf", **FAST)


BAD_REVISIONS = ["..", "../main", "main/../../x", "a//b", " main", "main\n", "-rf", "main;ls", "%2e%2e",
                 "ブランチ", "x" * 300, "refs/../../../x", "/abs", "\\..\\x"]


@pytest.mark.parametrize("revision", BAD_REVISIONS)
def test_odd_revision_is_refused_before_any_request(hostile, henv, revision):
    from quantize.hub import HubError, pull

    with pytest.raises(HubError) as ei:
        pull(SMALL, revision=revision, **FAST)
    assert ei.value.kind == "revision" and ei.value.fix
    _one_line(ei.value)
    assert hostile.requests == []
    refs = henv.repo_cache(SMALL) / "refs"
    assert not refs.exists() or not any(refs.iterdir())


def test_revision_cli_odd_value_is_one_line(hostile, henv):
    failed(pull_cli(henv, SMALL, "--revision", "main/../../../etc"), "branch")


# -- config.json -----------------------------------------------------------------------------------

@pytest.mark.parametrize("archs", [None, [], ["MambaForCausalLM"], ["GPTNeoXForCausalLM", "LlamaForCausalLM"],
                                   [{"class": "GPTNeoXForCausalLM"}], ["A" * 5000], [None], 42])
def test_config_with_unsupported_or_odd_architectures_fetches_no_weights(hostile, henv, hub_repos, tmp_path,
                                                                         archs):
    cfg = json.loads((hub_repos.gated / "config.json").read_text())
    if archs is None:
        cfg.pop("architectures", None)
    else:
        cfg["architectures"] = archs
    path = henv.src / "config.json"
    path.write_text(json.dumps(cfg))
    hostile.repos[SMALL].add_file("config.json", path)
    e = _refused("unsupported", output=henv.root / "out.gguf")
    assert "GPTNeoXForCausalLM" in e.message  # what is supported
    assert hostile.stats(SMALL, WEIGHTS).gets == 0
    assert henv.strays() == []


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe\x00garbage", b"", b"[" * 100_000,
                                  b'{"architectures": ["GPTNeoXForCausalLM"], "x": "' + b"a" * 1000 + b'"'])
def test_invalid_config_fetches_no_weights(hostile, henv, tmp_path, body):
    path = henv.src / "config.json"
    path.write_bytes(body)
    hostile.repos[SMALL].add_file("config.json", path)
    e = _refused(output=henv.root / "out.gguf")
    assert "config.json" in str(e)
    assert hostile.stats(SMALL, WEIGHTS).gets == 0


def test_huge_config_fetches_no_weights(hostile, henv, hub_repos, tmp_path):
    cfg = json.loads((hub_repos.gated / "config.json").read_text())
    cfg["padding"] = "x" * (66 * 2**20)  # over the converter's 64 MiB JSON limit
    path = henv.src / "config.json"
    path.write_text(json.dumps(cfg))
    hostile.repos[SMALL].add_file("config.json", path)
    e = _refused(output=henv.root / "out.gguf")
    assert "config.json" in str(e) and "MiB" in e.message
    assert hostile.stats(SMALL, WEIGHTS).gets == 0
