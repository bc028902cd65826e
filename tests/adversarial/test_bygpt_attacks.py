"""Hostile byte-level (byGPT) models: damaged ``hanashi.bygpt.*`` metadata in a converted GGUF, and
damaged checkpoints fed to the converter.

Every GGUF is loaded by ``Engine.load`` (and a short greedy generation) in a subprocess, so a
llama.cpp abort shows up as a signal instead of ending the test run. Each case must end in a clean
``ModelLoadError``-style message that names the problem — never a signal, a traceback, a hang or
a load that silently accepts a model it cannot run correctly.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.gguf_rewrite import T, rewrite, typed

ROOT = Path(__file__).resolve().parents[2]
P = "hanashi.bygpt."
TP = P + "tensor."
TINY = dict(hidden=64, layers=1, heads=2, kv_heads=1, ffn=128, byte_embd=16, max_positions=512)

_LOAD = r"""
import sys
from app.engine import Engine
from app.engine.errors import EngineError
from app.engine.sampling import SamplingParams
try:
    with Engine.load(sys.argv[1], n_ctx=256, threads=1) as e:
        g = e.generate("abc", SamplingParams(temperature=0, max_new_tokens=3))
        print("OK", g.reason, g.n_generated, repr(g.text))
except EngineError as err:
    print("ERR", type(err).__name__)
    print(str(err))
    sys.exit(3)
"""


def load(path: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _LOAD, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=_env())


def _env():
    import os

    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(ROOT)
    return env


def assert_clean(r: subprocess.CompletedProcess, *words: str) -> str:
    out = r.stdout + r.stderr
    assert r.returncode >= 0, f"killed by signal {-r.returncode}:\n{out[-3000:]}"
    assert "Traceback" not in out and "GGML_ASSERT" not in out, f"traceback/abort shown:\n{out[-3000:]}"
    assert r.returncode == 3 and "ERR " in r.stdout, f"expected a clean load error, got rc={r.returncode}:\n{out[-3000:]}"
    msg = r.stdout.split("\n", 1)[1]
    for w in words:
        assert w.lower() in msg.lower(), f"the message does not name {w!r}:\n{msg}"
    return msg


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> dict:
    from quantize.bygpt.gguf_extra import read_extra
    from quantize.convert import convert
    from quantize.tiny.bygpt import build_bygpt

    d = tmp_path_factory.mktemp("bygpt-attacks")
    ckpt = build_bygpt(d / "ckpt", **TINY)
    gguf = d / "good.gguf"
    convert(ckpt, gguf, "f32", measure_parity=False)
    extras = {k: np.array(v) for k, v in read_extra(gguf).items()}
    return {"dir": d, "ckpt": ckpt, "gguf": gguf, "extras": extras}


def hostile(good, name: str, set_kv=None, drop_keys=(), drop_prefixes=()) -> Path:
    return rewrite(good["dir"] / f"{name}.gguf", set_kv or {}, drop_keys=tuple(drop_keys), src=good["gguf"],
                   drop_prefixes=tuple(drop_prefixes))


def raw(a: np.ndarray):
    return typed(np.ascontiguousarray(a, "<f4").tobytes(), T.ARRAY, T.UINT8)


def shape(*dims, sub=T.UINT32):
    return typed(list(dims), T.ARRAY, sub)


def names(*n):
    return typed(list(n), T.ARRAY, T.STRING)


ALL = ["embd", "merge.weight", "merge.bias", "head.0.weight", "head.1.weight", "head.2.weight", "head.3.weight"]


def test_the_good_tiny_model_loads_and_generates(good):
    r = load(good["gguf"])
    assert r.returncode == 0 and r.stdout.startswith("OK"), r.stdout + r.stderr[-2000:]


# ------------------------------------------------------------------ extra tensors


@pytest.mark.parametrize("case, kv, words", [
    ("shape-not-data", {TP + "embd.shape": shape(256, 17)}, ["embd", "bytes"]),
    ("shape-huge", {TP + "embd.shape": shape(2**31, 2**31)}, ["embd"]),
    ("shape-zero", {TP + "embd.shape": shape(0, 16)}, ["embd"]),
    ("shape-negative", {TP + "embd.shape": shape(-256, -16, sub=T.INT32)}, ["embd"]),
    ("shape-one-row", {TP + "embd.shape": shape(1, 4096)}, ["merge.weight"]),
    ("shape-3d", {TP + "head.0.weight.shape": shape(4, 64, 64)}, ["head.0.weight"]),
    ("shape-not-array", {TP + "embd.shape": 256}, ["embd"]),
    ("shape-strings", {TP + "embd.shape": names("x", "y")}, ["embd"]),
    ("dtype-f64", {TP + "embd.dtype": "f64"}, ["embd"]),
    ("dtype-f16-on-f32-data", {TP + "merge.weight.dtype": "f16"}, ["merge.weight"]),
    ("dtype-int", {TP + "embd.dtype": 32}, ["embd"]),
    ("data-not-bytes", {TP + "embd.data": "abc"}, ["embd"]),
    ("data-int32-array", {TP + "embd.data": typed([1, 2, 3], T.ARRAY, T.INT32)}, ["embd"]),
    ("ghost-name", {P + "tensors": names(*ALL, "ghost")}, ["ghost"]),
    ("path-name", {P + "tensors": names(*ALL, "../../../etc/passwd")}, ["passwd"]),
    ("names-ints", {P + "tensors": typed([1, 2], T.ARRAY, T.INT32)}, []),
    ("names-not-array", {P + "tensors": "embd"}, [P + "tensors"]),
    ("merge-output-not-backbone-width", {TP + "merge.weight.shape": shape(32, 128),
                                         TP + "merge.bias.shape": shape(32),
                                         TP + "merge.bias.data": raw(np.zeros(32))}, ["merge.weight", "64"]),
    ("head-wrong-vocab", {TP + "head.2.weight.shape": shape(128, 128)}, ["head.2.weight"]),
])
def test_damaged_extra_tensor_is_refused_cleanly(good, case, kv, words):
    assert_clean(load(hostile(good, case, kv)), *words)


def test_extra_dtype_of_wrong_gguf_type_is_refused_cleanly(good):
    """``.dtype`` stored as an array of strings instead of a string."""
    assert_clean(load(hostile(good, "dtype-list", {TP + "embd.dtype": names("f32")})), "embd")


def test_truncated_extra_data_is_refused_cleanly(good):
    half = good["extras"]["head.1.weight"].reshape(-1)[:100]
    msg = assert_clean(load(hostile(good, "truncated", {TP + "head.1.weight.data": raw(half)})), "head.1.weight")
    assert "bytes" in msg


def test_missing_head_is_refused_naming_it(good):
    f = hostile(good, "no-head", {P + "tensors": names(*ALL[:-1])}, drop_prefixes=(TP + "head.3.",))
    assert_clean(load(f), "head.3.weight", "missing")


def test_nan_in_a_head_is_refused(good):
    w = good["extras"]["head.0.weight"].copy()
    w[3, 5] = np.nan
    assert_clean(load(hostile(good, "nan-head", {TP + "head.0.weight.data": raw(w)})), "head.0.weight", "NaN")


def test_infinite_merge_is_refused(good):
    w = good["extras"]["merge.weight"].copy()
    w[0, 0] = np.inf
    assert_clean(load(hostile(good, "inf-merge", {TP + "merge.weight.data": raw(w)})), "merge.weight")


# ------------------------------------------------------------------ byte facts


@pytest.mark.parametrize("case, kv, words", [
    ("bpp-zero", {P + "bytes_per_position": 0}, ["bytes_per_position"]),
    ("bpp-1000", {P + "bytes_per_position": 1000}, ["bytes_per_position"]),
    ("bpp-string", {P + "bytes_per_position": "4"}, ["bytes_per_position"]),
    ("bpp-negative", {P + "bytes_per_position": typed(-4, T.INT32)}, ["bytes_per_position"]),
    ("bpp-huge-u64", {P + "bytes_per_position": typed(2**63, T.UINT64)}, ["bytes_per_position"]),
    ("heads-1000", {P + "n_heads": 1000}, ["n_heads"]),
    ("heads-zero", {P + "n_heads": 0}, ["n_heads"]),
    ("heads-3", {P + "n_heads": 3}, ["n_heads"]),
    ("bpp-8-heads-8", {P + "bytes_per_position": 8, P + "n_heads": 8}, ["bos"]),
    ("bos-3-bytes", {P + "bos": b"\xff\xdf\xbe"}, ["bos"]),
    ("bos-over-255", {P + "bos": typed([255, 223, 190, 300], T.ARRAY, T.INT32)}, ["bos"]),
    ("bos-negative", {P + "bos": typed([255, 223, 190, -1], T.ARRAY, T.INT32)}, ["bos"]),
    ("bos-string", {P + "bos": "<s>"}, ["bos"]),
    ("eos-5-bytes", {P + "eos": b"\xff\xdf\xbd\x00\x00"}, ["eos"]),
    ("eos-over-255", {P + "eos": typed([255, 223, 189, 256], T.ARRAY, T.UINT32)}, ["eos"]),
    ("stop-7-bytes", {P + "stop": b"\xe0\xc0\x80\x0b\xe0\xc0\x80"}, ["stop"]),
    ("stop-floats", {P + "stop": typed([1.0, 2.0, 3.0, 4.0], T.ARRAY, T.FLOAT32)}, ["stop"]),
    ("encoding-unknown", {P + "encoding": "utf8-v3"}, ["utf8-v3"]),
    ("encoding-not-string", {P + "encoding": 4}, ["encoding"]),
])
def test_bad_byte_facts_are_refused_cleanly(good, case, kv, words):
    assert_clean(load(hostile(good, case, kv)), *words)


def test_eos_missing_is_refused(good):
    assert_clean(load(hostile(good, "no-eos", drop_keys=(P + "eos",))), "eos")


def test_all_byte_metadata_gone_is_refused(good):
    assert_clean(load(hostile(good, "no-bygpt", drop_prefixes=(P,))), "bytes_per_position")


def test_positions_narrower_than_the_encoding_are_refused(good):
    w = good["extras"]["merge.weight"][:, :32]
    f = hostile(good, "bpp-2-consistent", {
        P + "bytes_per_position": 2, P + "n_heads": 2,
        P + "tensors": names("embd", "merge.weight", "merge.bias", "head.0.weight", "head.1.weight"),
        TP + "merge.weight.shape": shape(64, 32), TP + "merge.weight.data": raw(w)},
        drop_prefixes=(TP + "head.2.", TP + "head.3."))
    assert_clean(load(f), "bytes_per_position", "encoding")


def test_future_layout_version_is_refused(good):
    assert_clean(load(hostile(good, "layout-v99", {P + "layout_version": 99})), "layout_version")


def test_vocab_size_inconsistent_with_tensors_is_refused(good):
    assert_clean(load(hostile(good, "vocab-9999", {P + "vocab_size": 9999})), "vocab_size")


@pytest.mark.parametrize("case, value", [
    ("layout-not-json", "{not json"),
    ("layout-huge", json.dumps({"radices": list(range(200_000))})),
    ("layout-wrong-shape", json.dumps([1, 2, 3])),
])
def test_layout_json_garbage_does_not_crash(good, case, value):
    """The runtime follows its own layout table; the stored JSON is documentation. Garbage there must
    neither crash nor change what the model generates."""
    r = load(hostile(good, case, {P + "layout": value}))
    base = load(good["gguf"])
    out = r.stdout + r.stderr
    assert r.returncode >= 0 and "Traceback" not in out, out[-3000:]
    assert (r.returncode == 0 and r.stdout == base.stdout) or r.returncode == 3, out[-3000:]


# ------------------------------------------------------------------ checkpoints → converter


def _checkpoint(good, name: str, config: dict | None = None, **build) -> Path:
    from quantize.tiny.bygpt import build_bygpt

    d = build_bygpt(good["dir"] / name, **{**TINY, **build})
    if config:
        cfg = json.loads((d / "config.json").read_text())
        cfg.update(config)
        (d / "config.json").write_text(json.dumps(cfg))
    return d


def _edit_tensor(ckpt: Path, name: str, fn):
    from safetensors.numpy import load_file, save_file

    f = ckpt / "model.safetensors"
    state = load_file(str(f))
    state[name] = fn(state[name])
    if state[name] is None:
        del state[name]
    save_file(state, str(f), metadata={"format": "pt"})


def _convert_refused(ckpt: Path, out: Path, *words: str) -> str:
    from quantize.convert import convert
    from quantize.errors import ExplainedError

    with pytest.raises(ExplainedError) as e:
        convert(ckpt, out, "f32", measure_parity=False)
    assert not out.exists(), "a refused conversion left an output file"
    assert not [p for p in out.parent.iterdir() if p.name.startswith(out.name) and p != out], "partial file left"
    msg = str(e.value)
    for w in words:
        assert w.lower() in msg.lower(), f"the message does not name {w!r}:\n{msg}"
    return msg


@pytest.mark.parametrize("case, config, words", [
    ("cfg-bpp-0", {"bytes_per_position": 0}, ["bytes_per_position"]),
    ("cfg-bpp-string", {"bytes_per_position": "four"}, ["bytes_per_position"]),
    ("cfg-heads-1000", {"num_attention_heads": 1000}, ["num_attention_heads"]),
    ("cfg-lm-heads-1000", {"num_lm_heads": 1000}, ["num_lm_heads"]),
    ("cfg-lm-heads-3", {"num_lm_heads": 3}, ["num_lm_heads"]),
    ("cfg-byte-embd-wrong", {"byte_embedding_size": 17}, ["merge.weight"]),
    ("cfg-hidden-neg", {"hidden_size": -64}, ["hidden_size"]),
    ("cfg-vocab-huge", {"vocab_size": 10**12}, ["vocab_size"]),
])
def test_bad_checkpoint_config_is_refused(good, case, config, words):
    ckpt = good["dir"] / "cfgbase"
    if not ckpt.exists():
        _checkpoint(good, "cfgbase")
    d = good["dir"] / case
    d.mkdir()
    shutil.copyfile(ckpt / "model.safetensors", d / "model.safetensors")
    cfg = json.loads((ckpt / "config.json").read_text())
    cfg.update(config)
    (d / "config.json").write_text(json.dumps(cfg))
    _convert_refused(d, good["dir"] / f"{case}.gguf", *words)


def test_merge_of_wrong_shape_is_refused_with_the_list(good):
    ckpt = _checkpoint(good, "merge-shape")
    _edit_tensor(ckpt, "merge.weight", lambda a: a[:, :63].copy())
    msg = _convert_refused(ckpt, good["dir"] / "merge-shape.gguf", "merge.weight", "[64, 63]", "[64, 64]")
    assert "the table expected" in msg


def test_missing_lm_head_is_refused(good):
    ckpt = _checkpoint(good, "no-lm-head")
    _edit_tensor(ckpt, "lm_heads.2.weight", lambda a: None)
    _convert_refused(ckpt, good["dir"] / "no-lm-head.gguf", "lm_heads.2.weight", "missing")


def test_nan_weights_are_refused_without_partial_file(good):
    ckpt = _checkpoint(good, "nan-ckpt")

    def poison(a):
        a = a.copy()
        a[0, 0] = np.nan
        return a

    _edit_tensor(ckpt, "lm_heads.1.weight", poison)
    _convert_refused(ckpt, good["dir"] / "nan-ckpt.gguf", "lm_heads.1.weight")


def test_nan_in_backbone_is_refused(good):
    ckpt = _checkpoint(good, "nan-backbone")

    def poison(a):
        a = a.copy()
        a[1, 1] = np.inf
        return a

    _edit_tensor(ckpt, "model.layers.0.mlp.up_proj.weight", poison)
    _convert_refused(ckpt, good["dir"] / "nan-backbone.gguf", "model.layers.0.mlp.up_proj.weight")


def test_byte_vocabulary_under_256_is_refused(good):
    from quantize.convert import convert
    from quantize.errors import ExplainedError

    ckpt = _checkpoint(good, "vocab-200", vocab=200)
    out = good["dir"] / "vocab-200.gguf"
    try:
        convert(ckpt, out, "f32", measure_parity=False)
    except ExplainedError as e:
        assert "vocab" in str(e).lower()
        return
    assert_clean(load(out), "vocab")


def test_byte_vocabulary_over_256_generates_only_bytes(good):
    from quantize.convert import convert

    ckpt = _checkpoint(good, "vocab-300", vocab=300, head_std=2.0)
    out = good["dir"] / "vocab-300.gguf"
    convert(ckpt, out, "f32", measure_parity=False)
    r = load(out)
    assert r.returncode == 0 and r.stdout.startswith("OK"), (r.stdout + r.stderr)[-3000:]


# ------------------------------------------------------------------ hanashi chat


def _chat(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", "chat", str(path), "--ctx", "256", "--threads", "1",
                           "--max-tokens", "2"], cwd=ROOT, input="abc\n/exit\n", capture_output=True, text=True,
                          timeout=60, env=_env())


@pytest.mark.parametrize("case, kv, word", [
    ("chat-bos-3", {P + "bos": b"\xff\xdf\xbe"}, "bos"),
    ("chat-dtype-f16", {TP + "merge.weight.dtype": "f16"}, "merge.weight"),
])
def test_hanashi_chat_reports_hostile_byte_model_cleanly(good, case, kv, word):
    r = _chat(hostile(good, case, kv))
    out = r.stdout + r.stderr
    assert r.returncode > 0, f"rc={r.returncode}:\n{out[-3000:]}"
    assert "Traceback" not in out, out[-3000:]
    assert word in out, out[-3000:]


def test_hanashi_chat_byte_vocabulary_under_256(good):
    from quantize.errors import ExplainedError

    out_file = good["dir"] / "vocab-200.gguf"
    if not out_file.exists():
        from quantize.convert import convert

        try:
            convert(_checkpoint(good, "vocab-200b", vocab=200), out_file, "f32", measure_parity=False)
        except ExplainedError as e:  # refused at conversion: no such file ever reaches the chat
            assert "vocab" in str(e).lower()
            return
    r = _chat(out_file)
    out = r.stdout + r.stderr
    assert r.returncode >= 0 and "Traceback" not in out and "IndexError" not in out, out[-3000:]
