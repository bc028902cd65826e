"""Converting the tiny byte-level multi-head checkpoint: every type, loaded by llama.cpp, against
the PyTorch reference; and the measurement behind the storage of the extra tensors."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from quantize.archs import Planned
from quantize.bygpt import layout
from quantize.bygpt.arch import ByGPT
from quantize.bygpt.encoding import ByteEncoder
from quantize.bygpt.gguf_extra import read_extra
from quantize.bygpt.llama_probe import hidden_states
from quantize.bygpt.write import add_bygpt_metadata, write_bygpt
from quantize.checkpoint import Checkpoint
from quantize.convert import convert
from quantize.errors import ConversionCancelled, ConversionError
from quantize.gguf_check import checked_info
from quantize.gguf_info import read_header, read_metadata
from tests.bygpt import ROOT, tiny_checkpoint

torch = pytest.importorskip("torch")
from tests.bygpt_reference import ByGPTReference  # noqa: E402

PROMPT = "日本三景一覧:\n1. 広島県, 宮島\n2. 京都府, 天橋立\n3. 宮城県, 😀𠮷"


@pytest.fixture(scope="module")
def tiny():
    return tiny_checkpoint()


@pytest.fixture(scope="module")
def reference(tiny):
    torch.set_num_threads(1)
    ids = torch.tensor([list(ByteEncoder().prompt(PROMPT))])
    model = ByGPTReference.from_pretrained(tiny)
    hidden, logits = model(ids)
    return model, hidden[0].numpy(), logits[0].numpy()


def _merged(extras: dict, data: bytes) -> np.ndarray:
    e = extras["embd"].astype(np.float32)[np.frombuffer(data, dtype=np.uint8)].reshape(len(data) // 4, -1)
    x = e @ extras["merge.weight"].astype(np.float32).T
    return x + extras["merge.bias"].astype(np.float32) if "merge.bias" in extras else x


def _logits(extras: dict, hidden: np.ndarray) -> np.ndarray:
    return np.stack([hidden @ extras[f"head.{j}.weight"].astype(np.float32).T for j in range(4)], axis=1)


@pytest.mark.parametrize("out_type", ["f32", "f16", "q8_0", "q4_k_m"])
def test_converts_and_loads(tiny, reference, tmp_path, out_type):
    out = tmp_path / f"tiny-{out_type}.gguf"
    stages = set()
    result = convert(tiny, out, out_type, measure_parity=out_type == "f32",
                     progress=lambda stage, d, t, msg: stages.add(stage))
    assert result.family == "bygpt" and out.is_file()
    assert stages == ({"parity", "write"} if out_type == "f32" else {"write"} | ({"quantize"} if "q" in out_type else set()))
    info = checked_info(out)  # Hanashi's own GGUF checks pass
    assert info.architecture == "llama" and info.family == "bygpt" and info.file_type == out_type
    meta = read_metadata(out)
    assert meta["hanashi.bygpt.encoding"] == layout.ENCODING
    assert bytes(meta["hanashi.bygpt.stop"]) == ByteEncoder().stop
    assert bytes(meta["hanashi.bygpt.bos"]) == ByteEncoder().bos
    assert meta["hanashi.bygpt.bytes_per_position"] == 4 and meta["hanashi.bygpt.n_heads"] == 4
    assert not any(name.startswith("hanashi.") for name, *_ in read_header(out)[1])  # no extra tensors
    extras = read_extra(out)
    want_dtype = np.float32 if out_type == "f32" else np.float16
    assert {k: (v.shape, v.dtype.type) for k, v in extras.items()} == {
        "embd": ((256, 96), want_dtype), "merge.weight": ((256, 384), want_dtype), "merge.bias": ((256,), want_dtype),
        **{f"head.{j}.weight": ((256, 256), want_dtype) for j in range(4)}}
    model, ref_hidden, ref_logits = reference
    if out_type == "f32":  # the extras are the checkpoint's own values
        assert np.array_equal(extras["merge.weight"], model.merge.weight.detach().numpy())
        assert np.array_equal(extras["head.3.weight"], model.lm_heads[3].weight.detach().numpy())
    hidden = hidden_states(out, _merged(extras, ByteEncoder().prompt(PROMPT)))  # llama.cpp, embeddings=True
    assert hidden.shape == ref_hidden.shape and np.isfinite(hidden).all()
    logits = _logits(extras, hidden)
    top1 = (logits.argmax(-1) == ref_logits.argmax(-1)).mean(axis=0)  # per head
    if out_type == "f32":
        assert np.abs(hidden - ref_hidden).max() < 1e-3
        assert np.abs(logits - ref_logits).max() < 1e-3
    elif out_type == "f16":
        assert np.abs(hidden - ref_hidden).max() < 5e-2
        assert top1.min() == 1.0
    elif out_type == "q8_0":
        assert top1.min() >= 0.9, top1
    else:
        assert top1.min() >= 0.6, top1


def test_no_model_code_is_imported(tiny):
    cfg = json.loads((tiny / "config.json").read_text())
    files = [v if isinstance(v, str) else v[0] for v in cfg["auto_map"].values()]
    assert all(not (tiny / (f.split(".")[0] + ".py")).exists() for f in files)
    assert layout.recognise(cfg)
    assert not [m for m in sys.modules if "modeling_bygpt" in m or "configuration_bygpt" in m]


def test_cli_convert_prints_parity_table(tiny, tmp_path):
    out = tmp_path / "cli.gguf"
    proc = subprocess.run([sys.executable, "-m", "quantize", "convert", str(tiny), "-o", str(out), "--type", "f16"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "family bygpt" in proc.stdout
    assert "tokenizer parity, byte encoding (utf8-v2-pad4) round trip" in proc.stdout
    assert "prose" in proc.stdout and "edge cases + fuzz" in proc.stdout and "— exact" in proc.stdout
    assert out.is_file()


def test_cancel_leaves_nothing(tiny, tmp_path):
    out = tmp_path / "cancelled.gguf"
    with pytest.raises(ConversionCancelled):
        convert(tiny, out, "q8_0", measure_parity=False, cancelled=lambda: True)
    assert list(tmp_path.iterdir()) == []


def test_llama_cpp_refuses_extra_tensors(tiny, tmp_path):
    """The measurement behind gguf_extra: an extra tensor in the tensor table makes llama.cpp refuse
    the file ("wrong number of tensors"), so the extras are stored as metadata."""
    ckpt = Checkpoint(tiny)
    try:
        arch = ByGPT(ckpt)
        head = next(p for p in arch.extras if p.name == "head.0.weight")
        arch.plan.append(Planned("hanashi.bygpt.head.0.weight", head.shape, head.produce, head.source))
        path = tmp_path / "extra-tensor.gguf"
        write_bygpt(path, arch, lambda w: add_bygpt_metadata(w, arch, "probe", None), "f32")
    finally:
        ckpt.close()
    with pytest.raises(ConversionError) as e:
        hidden_states(path, np.zeros((2, 256), dtype=np.float32))
    assert "wrong number of tensors" in str(e.value)


def test_verify_token_parity(tiny, tmp_path):
    from quantize.bygpt.verify import token_parity

    out = tmp_path / "v.gguf"
    convert(tiny, out, "f16", measure_parity=False)
    report = token_parity(out, tiny)  # without --trust-remote-code: no model code, the round trip
    assert report.exact and "round trip" in report.summary()
    meta = read_metadata(out)
    assert meta["hanashi.family"] == "bygpt"
    other = tmp_path / "other.gguf"
    other.write_bytes(out.read_bytes().replace(b"utf8-v2-pad4", b"utf8-v9-pad4"))
    with pytest.raises(ConversionError, match="encoding 'utf8-v9-pad4'"):
        token_parity(other, tiny)
    assert read_header(other)[0]["hanashi.bygpt.encoding"] == "utf8-v9-pad4"
