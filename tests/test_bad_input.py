"""Bad input ends in a clear error naming the file and the fix, and nothing is written."""

from __future__ import annotations

import json
import os
import pickle
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from quantize.convert import convert
from quantize.errors import ConversionCancelled, ConversionError
from tests.conftest import copy_model


@pytest.fixture
def model(tiny, tmp_path) -> Path:
    return copy_model(tiny.neox(), tmp_path / "src" / "tiny-japanese-gpt-neox-3.6b")


def _fails(model_dir, out_dir, match: str, out_type: str = "f32", **kw) -> ConversionError:
    with pytest.raises(ConversionError, match=match) as exc:
        convert(model_dir, out_dir / "m.gguf", out_type, **kw)
    assert list(out_dir.iterdir()) == [], "nothing may be left behind"
    return exc.value


def _edit_config(model: Path, **changes) -> None:
    cfg = json.loads((model / "config.json").read_text())
    cfg.update(changes)
    (model / "config.json").write_text(json.dumps(cfg))


def test_missing_folder(tmp_path, out_dir):
    e = _fails(tmp_path / "nope", out_dir, "model folder not found")
    assert e.fix


def test_missing_config(model, out_dir):
    (model / "config.json").unlink()
    e = _fails(model, out_dir, "config.json is missing")
    assert e.path.endswith("config.json") and "download" in e.fix


def test_config_not_json(model, out_dir):
    (model / "config.json").write_text("{ not json")
    _fails(model, out_dir, "config.json is not valid JSON")


def test_missing_tokenizer(model, out_dir):
    (model / "spiece.model").unlink()
    (model / "tokenizer.json").write_text("{}")
    e = _fails(model, out_dir, "no sentencepiece model found .this folder has tokenizer.json only.")
    assert "spiece.model" in str(e)


def test_unsupported_architecture(model, out_dir):
    _edit_config(model, architectures=["LlamaForCausalLM"])
    e = _fails(model, out_dir, "'LlamaForCausalLM' is not supported")
    assert "GPTNeoXForCausalLM" in str(e) and "GPT2LMHeadModel" in str(e)


def test_hostile_pickle_checkpoint_is_refused_without_running_it(model, out_dir, tmp_path):
    """A .bin whose unpickling would run code: refused, naming what it asked for; the payload never runs."""
    import zipfile

    (model / "model.safetensors").unlink()
    marker = tmp_path / "unpickled"

    class Payload:
        def __reduce__(self):
            return (Path.touch, (marker,))

    with zipfile.ZipFile(model / "pytorch_model.bin", "w") as z:  # torch.save's layout
        z.writestr("pytorch_model/data.pkl", pickle.dumps({"w": Payload()}, protocol=2))
        z.writestr("pytorch_model/byteorder", "little")
    e = _fails(model, out_dir, "data.pkl asks to call")
    assert "run code" in str(e) and "safetensors" in e.fix
    assert not marker.exists()


def test_truncated_safetensors(model, out_dir):
    f = model / "model.safetensors"
    os.truncate(f, f.stat().st_size - 1000)
    e = _fails(model, out_dir, "truncated")
    assert e.path.endswith("model.safetensors") and "download" in e.fix


def test_corrupt_safetensors_header(model, out_dir):
    f = model / "model.safetensors"
    data = bytearray(f.read_bytes())
    data[8:40] = b"\xff" * 32
    f.write_bytes(bytes(data))
    _fails(model, out_dir, "header is not valid JSON")


def test_empty_safetensors(model, out_dir):
    (model / "model.safetensors").write_bytes(b"")
    _fails(model, out_dir, "too short to be safetensors")


def test_shape_disagrees_with_config(model, out_dir):
    _edit_config(model, intermediate_size=512)
    e = _fails(model, out_dir, r"dense_h_to_4h.weight' has shape \[1024, 256\] but config.json implies \[512, 256\]")
    assert "different models" in e.fix


def test_missing_tensor(model, out_dir):
    _edit_config(model, num_hidden_layers=3)
    _fails(model, out_dir, "tensor 'gpt_neox.layers.2.input_layernorm.weight' is missing")


def test_missing_shard(model, out_dir):
    from safetensors.numpy import load_file, save_file

    tensors = load_file(str(model / "model.safetensors"))
    names = sorted(tensors)
    half = len(names) // 2
    shards = {"model-00001-of-00002.safetensors": names[:half], "model-00002-of-00002.safetensors": names[half:]}
    for fname, keys in shards.items():
        save_file({k: tensors[k] for k in keys}, str(model / fname))
    (model / "model.safetensors").unlink()
    index = {"metadata": {}, "weight_map": {k: f for f, ks in shards.items() for k in ks}}
    (model / "model.safetensors.index.json").write_text(json.dumps(index))
    # Complete shards convert...
    ok = convert(model, out_dir / "sharded.gguf", "f32")
    assert ok.path.exists()
    ok.path.unlink()
    # ...a missing one is named.
    (model / "model-00002-of-00002.safetensors").unlink()
    _fails(model, out_dir, "1 are missing: model-00002-of-00002.safetensors")


def test_output_folder_missing(model, tmp_path):
    with pytest.raises(ConversionError, match="output folder does not exist"):
        convert(model, tmp_path / "no" / "such" / "m.gguf", "f32")


def test_output_not_writable(model, tmp_path):
    if os.geteuid() == 0:
        target = Path("/sys/hanashi-test.gguf")  # sysfs refuses new files even to root
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        target = ro / "m.gguf"
    with pytest.raises(ConversionError, match="not writable|cannot write the output"):
        convert(model, target, "f32")
    assert not target.exists()


def test_unknown_type(model, out_dir):
    e = _fails(model, out_dir, "unknown output type 'q9_z'", out_type="q9_z")
    assert "q4_k_m" in e.fix


def test_cancel_leaves_nothing(model, out_dir):
    with pytest.raises(ConversionCancelled):
        convert(model, out_dir / "m.gguf", "q8_0", cancelled=lambda: True)
    assert list(out_dir.iterdir()) == []


def _limit_file_size():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2 * 2**20, 2 * 2**20))


@pytest.mark.parametrize("out_type", ["f32", "q8_0"])
def test_disk_full(model, out_dir, out_type):
    """A real write failure (file-size limit: the kernel refuses the write) loses nothing."""
    code = (f"from quantize.convert import convert; "
            f"convert({str(model)!r}, {str(out_dir / 'm.gguf')!r}, {out_type!r})")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       preexec_fn=_limit_file_size, cwd=Path(__file__).parent.parent)
    assert p.returncode != 0
    assert "disk full" in p.stderr or "failed to quantize" in p.stderr, p.stderr[-2000:]
    assert list(out_dir.iterdir()) == []


def test_cli_reports_errors_with_exit_code(model, out_dir):
    (model / "config.json").unlink()
    p = subprocess.run([sys.executable, "-m", "quantize", "convert", str(model), "-o", str(out_dir / "m.gguf")],
                       capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    assert p.returncode == 2
    assert "config.json is missing" in p.stderr and "How to fix" in p.stderr
    p = subprocess.run([sys.executable, "-m", "quantize", "convert", str(model), "-o", str(out_dir / "m.gguf"),
                        "--type", "q9"], capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    assert p.returncode == 2 and "unknown output type 'q9'" in p.stderr and "q4_k_m" in p.stderr
    assert list(out_dir.iterdir()) == []
