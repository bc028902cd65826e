"""The converter writes only what the checkpoint really says, and only where it may.

Hostile checkpoints built here: tensors sharing bytes, NaN/Inf weights and values too large for
the output type, integer weights, outputs that are the model's own files, a device node, an
existing file that is not a GGUF, dangling links; and ``verify`` on GGUFs with unusable values.
Each must end in a ConversionError naming the file, the tensor or key and the fix, with nothing
written and the input unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import struct
from pathlib import Path

import gguf
import numpy as np
import pytest

from quantize import cli
from quantize.convert import convert
from quantize.errors import ConversionError, InvalidGGUFError
from quantize.verify import verify
from tests.conftest import copy_model
from tests.gguf_rewrite import rewrite, typed

EMB = "gpt_neox.embed_in.weight"
FFN_DOWN = "gpt_neox.layers.0.mlp.dense_4h_to_h.weight"
FFN_UP = "gpt_neox.layers.0.mlp.dense_h_to_4h.weight"
NORM_W = "gpt_neox.layers.0.input_layernorm.weight"


# ------------------------------------------------------------------ helpers

def read_st(path: Path) -> tuple[dict, bytes]:
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8:8 + n]), raw[8 + n:]


def write_st(path: Path, header: dict, data: bytes) -> None:
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + data)


def set_values(model: Path, name: str, index: list[int], values: list[float]) -> None:
    """Set elements of an F32 tensor (flat positions) in the model's safetensors file."""
    st = model / "model.safetensors"
    header, data = read_st(st)
    assert header[name]["dtype"] == "F32"
    a, b = header[name]["data_offsets"]
    arr = np.frombuffer(data[a:b], dtype=np.float32).copy()
    arr[index] = values
    write_st(st, header, data[:a] + arr.tobytes() + data[b:])


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()
            if p.is_file() and not p.is_symlink()}


def gguf_tensor(path: Path, name: str) -> np.ndarray:
    reader = gguf.GGUFReader(str(path), "r")
    return np.array(next(t for t in reader.tensors if t.name == name).data)


@pytest.fixture
def model(tiny, tmp_path) -> Path:
    return copy_model(tiny.neox(), tmp_path / "src" / "tiny-neox")


def refused(model: Path, out: Path, match: str, out_type: str = "f32", **kw) -> ConversionError:
    """convert() must raise a ConversionError matching ``match`` and leave the output folder as it was."""
    before = sorted(p.name for p in out.parent.iterdir())
    with pytest.raises(ConversionError, match=match) as exc:
        convert(model, out, out_type, measure_parity=False, **kw)
    assert sorted(p.name for p in out.parent.iterdir()) == before, "nothing may be written"
    assert exc.value.fix and exc.value.path
    return exc.value


# ------------------------------------------------------------------ V1: byte ranges

@pytest.mark.parametrize("how", ["same-bytes", "inside-another", "straddling"])
def test_overlapping_tensor_ranges_are_refused(model, out_dir, how):
    st = model / "model.safetensors"
    header, data = read_st(st)
    a, b = header[FFN_UP]["data_offsets"]  # the largest-but-one matrix; the norm weight is small
    n = header[NORM_W]["data_offsets"][1] - header[NORM_W]["data_offsets"][0]
    if how == "same-bytes":
        target, rng = FFN_DOWN, [a, b]  # the same shape, the same bytes
    elif how == "inside-another":
        target, rng = NORM_W, [a + 64, a + 64 + n]
    else:
        target, rng = NORM_W, [b - 8, b - 8 + n]
    assert header[target]["data_offsets"][1] - header[target]["data_offsets"][0] == rng[1] - rng[0]
    header[target]["data_offsets"] = rng
    write_st(st, header, data)
    e = refused(model, out_dir / "m.gguf", "overlap")
    assert FFN_UP in e.message and target in e.message and e.path.endswith("model.safetensors")


def test_padding_between_tensors_is_fine(model, out_dir):
    """Gaps in the data section (alignment padding) are allowed; only overlaps are refused."""
    st = model / "model.safetensors"
    header, data = read_st(st)
    names = sorted((k for k in header if k != "__metadata__"), key=lambda k: header[k]["data_offsets"][0])
    chunks, pos, new = [], 0, dict(header)
    for k in names:
        a, b = header[k]["data_offsets"]
        chunks.append(b"\0" * 24)  # 24 bytes of padding before every tensor
        pos += 24
        new[k] = dict(header[k], data_offsets=[pos, pos + b - a])
        chunks.append(data[a:b])
        pos += b - a
    write_st(st, new, b"".join(chunks))
    out = out_dir / "padded.gguf"
    convert(model, out, "f32", measure_parity=False)
    assert out.read_bytes()[:4] == b"GGUF"


# ------------------------------------------------------------------ V2: non-finite weights

def test_nan_and_inf_weights_are_refused_with_counts(model, out_dir):
    set_values(model, FFN_DOWN, [0, 5, 9, 17], [np.nan, np.nan, np.inf, -np.inf])
    e = refused(model, out_dir / "m.gguf", "non|NaN")
    assert FFN_DOWN in e.message and "2 NaN and 2 infinite" in e.message
    assert "--allow-nonfinite" in e.fix and e.path.endswith("model.safetensors")


def test_nan_in_a_quantized_conversion_leaves_no_partial_file(model, out_dir):
    """The check runs while the intermediate file is written; the error removes every temporary."""
    set_values(model, FFN_UP, [3], [np.nan])
    e = refused(model, out_dir / "m.gguf", "1 NaN", out_type="q8_0")
    assert FFN_UP in e.message


def test_allow_nonfinite_keeps_them(model, out_dir):
    set_values(model, FFN_DOWN, [0, 1], [np.nan, np.inf])
    out = out_dir / "m.gguf"
    convert(model, out, "f32", measure_parity=False, allow_nonfinite=True)
    t = gguf_tensor(out, "blk.0.ffn_down.weight").reshape(-1)
    assert np.isnan(t[0]) and np.isposinf(t[1]) and np.isfinite(t[2:]).all()


def test_value_too_large_for_f16_is_refused(model, out_dir):
    set_values(model, FFN_DOWN, [7], [1e6])
    e = refused(model, out_dir / "m.gguf", "too large for f16", out_type="f16")
    assert FFN_DOWN in e.message and "1e+06" in e.message and "--type f32" in e.fix
    # f32 and bf16 hold it; with the flag, f16 writes it as infinity
    convert(model, out_dir / "m32.gguf", "f32", measure_parity=False)
    assert gguf_tensor(out_dir / "m32.gguf", "blk.0.ffn_down.weight").reshape(-1)[7] == np.float32(1e6)
    convert(model, out_dir / "m16.gguf", "f16", measure_parity=False, allow_nonfinite=True)
    assert np.isposinf(gguf_tensor(out_dir / "m16.gguf", "blk.0.ffn_down.weight").reshape(-1)[7])


def test_cli_allow_nonfinite_flag(model, out_dir, capsys):
    set_values(model, FFN_DOWN, [0], [np.nan])
    out = out_dir / "m.gguf"
    assert cli.main(["convert", str(model), "-o", str(out), "--type", "f32", "--skip-parity"]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and FFN_DOWN in err and "1 NaN" in err and "Traceback" not in err
    assert list(out_dir.iterdir()) == []
    assert cli.main(["convert", str(model), "-o", str(out), "--type", "f32", "--skip-parity",
                     "--allow-nonfinite"]) == 0
    assert np.isnan(gguf_tensor(out, "blk.0.ffn_down.weight").reshape(-1)[0])


# ------------------------------------------------------------------ V3: integer weights

@pytest.mark.parametrize("dtype,widen", [("I32", 1), ("I64", 0.5), ("I16", 2), ("I8", 4), ("U8", 4), ("BOOL", 4)])
def test_integer_weights_are_refused(model, out_dir, dtype, widen):
    st = model / "model.safetensors"
    header, data = read_st(st)
    rows, cols = header[FFN_DOWN]["shape"]
    header[FFN_DOWN]["dtype"] = dtype
    header[FFN_DOWN]["shape"] = [rows, int(cols * widen)]  # the same bytes, read as the new type
    write_st(st, header, data)
    e = refused(model, out_dir / "m.gguf", f"has dtype {dtype}")
    assert FFN_DOWN in e.message and "floating point" in e.message


def test_integer_buffers_beside_the_weights_are_ignored(model, out_dir):
    """Old checkpoints keep boolean attention masks and integer position ids: they are not weights."""
    st = model / "model.safetensors"
    header, data = read_st(st)
    mask = np.tril(np.ones((8, 8), dtype=np.bool_)).tobytes()
    ids = np.arange(8, dtype=np.int64).tobytes()
    header["gpt_neox.layers.0.attention.bias"] = {"dtype": "BOOL", "shape": [8, 8],
                                                  "data_offsets": [len(data), len(data) + len(mask)]}
    header["gpt_neox.position_ids"] = {"dtype": "I64", "shape": [8],
                                       "data_offsets": [len(data) + len(mask), len(data) + len(mask) + len(ids)]}
    write_st(st, header, data + mask + ids)
    out = out_dir / "m.gguf"
    convert(model, out, "q8_0", measure_parity=False)
    assert out.read_bytes()[:4] == b"GGUF"


# ------------------------------------------------------------------ V4: where the output goes

@pytest.mark.parametrize("name", ["model.safetensors", "config.json", "spiece.model", "tokenizer_config.json"])
@pytest.mark.parametrize("force", [False, True])
def test_output_is_never_one_of_the_models_files(model, name, force):
    before = digests(model)
    with pytest.raises(ConversionError, match="model's own file") as exc:
        convert(model, model / name, "f32", measure_parity=False, force=force)
    assert name in exc.value.message and exc.value.fix
    assert digests(model) == before
    assert sorted(p.name for p in model.iterdir()) == sorted(before)


def test_output_linked_to_a_models_file_is_refused(model, out_dir):
    link = out_dir / "m.gguf"
    link.symlink_to(model / "model.safetensors")
    before = digests(model)
    with pytest.raises(ConversionError, match="model.safetensors"):
        convert(model, link, "f32", measure_parity=False, force=True)
    assert digests(model) == before and link.is_symlink()
    # the same file reached through another path in the model folder
    with pytest.raises(ConversionError, match="model's own file"):
        convert(model, model / ".." / model.name / "config.json", "f32", measure_parity=False)
    assert digests(model) == before


def _special(path: Path, kind: str) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "char-device":
        # Only ever inside the test's temporary folder: 1,7 is the "always full" device.
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    else:
        path.mkdir()


@pytest.mark.parametrize("kind", ["fifo", "char-device", "folder"])
def test_output_that_is_not_a_regular_file_is_refused(model, out_dir, kind):
    if kind == "char-device" and os.geteuid() != 0:
        pytest.skip("creating a device node needs root; the FIFO case covers non-regular outputs")
    target = out_dir / "special.gguf"
    _special(target, kind)
    mode = target.lstat().st_mode
    with pytest.raises(ConversionError, match="not a regular file|is a folder"):
        convert(model, target, "f32", measure_parity=False, force=True)
    assert target.lstat().st_mode == mode, "the node itself must stay as it was"
    assert sorted(p.name for p in out_dir.iterdir()) == ["special.gguf"]


def test_existing_file_that_is_not_a_gguf_needs_force(model, out_dir, capsys):
    out = out_dir / "notes.gguf"
    out.write_text("my notes, not a model\n")
    e = refused(model, out, "not a GGUF")
    assert "--force" in e.fix
    assert out.read_text() == "my notes, not a model\n"
    assert cli.main(["convert", str(model), "-o", str(out), "--type", "f32", "--skip-parity"]) == 2
    assert "not a GGUF" in capsys.readouterr().err and out.read_text() == "my notes, not a model\n"
    assert cli.main(["convert", str(model), "-o", str(out), "--type", "f32", "--skip-parity", "--force"]) == 0
    assert out.read_bytes()[:4] == b"GGUF"


def test_existing_gguf_is_replaced_without_force(model, out_dir):
    out = out_dir / "m.gguf"
    convert(model, out, "f32", measure_parity=False)
    first = out.stat().st_size
    convert(model, out, "f16", measure_parity=False)
    assert out.read_bytes()[:4] == b"GGUF" and out.stat().st_size < first


# ------------------------------------------------------------------ V5: dangling links

@pytest.mark.parametrize("name", ["model.safetensors", "spiece.model", "config.json", "tokenizer_config.json"])
def test_dangling_link_is_a_clear_error(model, out_dir, name):
    (model / name).unlink(missing_ok=True)
    (model / name).symlink_to(model.parent / "gone" / name)
    e = refused(model, out_dir / "m.gguf", "a link to a file that does not exist")
    assert e.path.endswith(name) and "gone" in e.message


def test_dangling_shard_link_is_a_clear_error(model, out_dir):
    st = model / "model.safetensors"
    header, data = read_st(st)
    write_st(model / "model-00001-of-00002.safetensors", header, data)
    st.unlink()
    (model / "model-00002-of-00002.safetensors").symlink_to("nowhere.safetensors")
    weight_map = {k: "model-00001-of-00002.safetensors" for k in header if k != "__metadata__"}
    weight_map["x"] = "model-00002-of-00002.safetensors"
    (model / "model.safetensors.index.json").write_text(json.dumps({"weight_map": weight_map}))
    refused(model, out_dir / "m.gguf", "model-00002-of-00002.safetensors is a link to a file that does not exist")
    (model / "model.safetensors.index.json").unlink()
    (model / "model.safetensors.index.json").symlink_to("gone.json")
    refused(model, out_dir / "m.gguf", "index.json is a link to a file that does not exist")


# ------------------------------------------------------------------ verify on invalid GGUFs

@pytest.fixture(scope="module")
def good_gguf(tiny, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("faithful") / "neox-f32.gguf"
    convert(tiny.neox(), out, "f32")
    return out


KEY = "gptneox."


@pytest.mark.parametrize("set_kv,key", [
    ({KEY + "context_length": 0}, "context_length"),
    ({KEY + "context_length": "2048"}, "context_length"),
    ({KEY + "rope.dimension_count": 0}, "rope.dimension_count"),
    ({KEY + "block_count": 0}, "block_count"),
    ({KEY + "attention.layer_norm_epsilon": typed(float("nan"), gguf.GGUFValueType.FLOAT32)}, "layer_norm_epsilon"),
])
def test_verify_refuses_an_invalid_gguf_first(good_gguf, tiny, tmp_path, capsys, set_kv, key):
    bad = rewrite(tmp_path / "bad.gguf", set_kv=set_kv, src=good_gguf)
    with pytest.raises(InvalidGGUFError, match=key) as exc:
        verify(bad, tiny.neox(), threads=1)
    assert exc.value.path == str(bad)
    assert cli.main(["verify", str(bad), "--reference", str(tiny.neox()), "--threads", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and key in err and "Traceback" not in err


def test_verify_reports_a_reference_transformers_cannot_load(good_gguf, tiny, tmp_path):
    """A reference folder the converter accepts but transformers refuses: an error naming the step."""
    ref = copy_model(tiny.neox(), tmp_path / "ref")
    cfg = json.loads((ref / "config.json").read_text())
    cfg["model_type"] = "no-such-model-type"
    (ref / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ConversionError, match="transformers could not compute the reference model's logits") as exc:
        verify(good_gguf, ref, threads=1)
    assert exc.value.path == str(ref) and "--no-logits" in exc.value.fix


def test_verify_of_the_good_file_passes(good_gguf, tiny):
    report = verify(good_gguf, tiny.neox(), threads=1)
    assert report.ok and report.logits and report.tokens.exact
