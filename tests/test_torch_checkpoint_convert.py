"""Converting a checkpoint that ships only PyTorch .bin weights: read without torch and without
running code from the file, and written exactly as the same weights from safetensors are."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import gguf
import numpy as np
import pytest

from quantize.convert import convert
from quantize.errors import ConversionError


def _bin_copy(src: Path, dst: Path, shards: bool = False) -> Path:
    """The same model saved as pytorch_model.bin (one file, or shards with an index)."""
    import torch
    from safetensors.torch import load_file

    shutil.copytree(src, dst)
    state = load_file(str(dst / "model.safetensors"))
    (dst / "model.safetensors").unlink()
    if not shards:
        torch.save(state, dst / "pytorch_model.bin")
        return dst
    names = sorted(state)
    half = len(names) // 2
    weight_map = {}
    for i, part in enumerate((names[:half], names[half:]), 1):
        file = f"pytorch_model-0000{i}-of-00002.bin"
        torch.save({n: state[n] for n in part}, dst / file)
        weight_map.update({n: file for n in part})
    (dst / "pytorch_model.bin.index.json").write_text(json.dumps({"weight_map": weight_map}))
    return dst


def _tensors(path: Path) -> dict[str, np.ndarray]:
    return {t.name: np.array(t.data) for t in gguf.GGUFReader(str(path), "r").tensors}


@pytest.mark.parametrize("shards", [False, True])
def test_bin_checkpoint_converts_to_the_same_tensors_as_safetensors(tiny, tmp_path, shards):
    pytest.importorskip("torch")
    src = tiny.neox()
    binary = _bin_copy(src, tmp_path / "tiny-japanese-gpt-neox-bin", shards)
    convert(src, tmp_path / "st.gguf", "f16", measure_parity=False)
    convert(binary, tmp_path / "bin.gguf", "f16", measure_parity=False)
    a, b = _tensors(tmp_path / "st.gguf"), _tensors(tmp_path / "bin.gguf")
    assert a.keys() == b.keys()
    for name in a:
        assert np.array_equal(a[name], b[name]), name


def test_safetensors_is_preferred_when_both_exist(tiny, tmp_path):
    pytest.importorskip("torch")
    src = tiny.neox()
    both = _bin_copy(src, tmp_path / "both")
    shutil.copy(src / "model.safetensors", both / "model.safetensors")
    (both / "pytorch_model.bin").write_bytes(b"not a checkpoint at all")  # never opened
    convert(both, tmp_path / "out.gguf", "f32", measure_parity=False)


def test_damaged_bin_is_a_clear_error(tiny, tmp_path):
    pytest.importorskip("torch")
    binary = _bin_copy(tiny.neox(), tmp_path / "damaged")
    path = binary / "pytorch_model.bin"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ConversionError) as e:
        convert(binary, out / "m.gguf", "f32", measure_parity=False)
    assert "pytorch_model.bin" in str(e.value) and "How to fix" in str(e.value)
    assert list(out.iterdir()) == []
