"""A checkpoint that does not match the layout table: one clear error listing every difference."""

from __future__ import annotations

import json

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from quantize.bygpt import layout
from quantize.convert import convert
from quantize.errors import ConversionError
from tests.bygpt import copy_checkpoint


def _edit(folder, change):
    path = folder / "model.safetensors"
    tensors = load_file(str(path))
    change(tensors)
    save_file(tensors, str(path), metadata={"format": "pt"})
    return folder


def _convert_error(folder, tmp_path) -> str:
    out = tmp_path / "out.gguf"
    with pytest.raises(ConversionError) as e:
        convert(folder, out, "f16", measure_parity=False)
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.suffix == ".gguf"]
    text = str(e.value)
    assert "quantize/bygpt/layout.py" in text and "How to fix" in text
    assert "the table expected" in text
    return text


def test_missing_head(tmp_path):
    folder = _edit(copy_checkpoint(tmp_path / "m"), lambda t: t.pop("lm_heads.3.weight"))
    text = _convert_error(folder, tmp_path)
    assert "missing (1):" in text and "lm_heads.3.weight [256, 256]" in text
    assert "1 tensor differ" in text


def test_wrong_merge_shape(tmp_path):
    folder = _edit(copy_checkpoint(tmp_path / "m"),
                   lambda t: t.__setitem__("merge.weight", np.zeros((256, 256), np.float32)))
    text = _convert_error(folder, tmp_path)
    assert "merge.weight has shape [256, 256], expected [256, 384] (merge)" in text


def test_unknown_tensor(tmp_path):
    folder = _edit(copy_checkpoint(tmp_path / "m"),
                   lambda t: t.__setitem__("lm_heads.4.weight", np.zeros((256, 256), np.float32)))
    text = _convert_error(folder, tmp_path)
    assert "not in the layout table (1):" in text and "lm_heads.4.weight [256, 256]" in text


def test_every_difference_in_one_error(tmp_path):
    def change(t):
        t.pop("lm_heads.0.weight")
        t.pop("model.layers.1.mlp.down_proj.weight")
        t["merge.weight"] = np.zeros((256, 100), np.float32)
        t["model.layers.0.self_attn.q_proj.weight"] = np.zeros((256, 256), np.int32)
        t["model.vision_tower.weight"] = np.zeros((3, 3), np.float32)

    text = _convert_error(_edit(copy_checkpoint(tmp_path / "m"), change), tmp_path)
    assert "5 tensors differ" in text
    for part in ("lm_heads.0.weight [256, 256]", "model.layers.1.mlp.down_proj.weight [256, 512]",
                 "merge.weight has shape [256, 100]", "q_proj.weight has dtype I32",
                 "model.vision_tower.weight [3, 3]"):
        assert part in text, part


def test_config_that_breaks_the_layout(tmp_path):
    folder = copy_checkpoint(tmp_path / "m")
    cfg = json.loads((folder / "config.json").read_text())
    cfg["num_lm_heads"] = 3
    (folder / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ConversionError, match="num_lm_heads = 3 is not valid.*one head per byte"):
        convert(folder, tmp_path / "o.gguf", "f16", measure_parity=False)


@pytest.mark.parametrize("config, known", [
    ({"architectures": ["ByGPTMultiLMHeadForCausalLM"]}, True),
    ({"model_type": "bygpt"}, True),
    ({"auto_map": {"AutoModelForCausalLM": "modeling_x.MultiLMHeadLlama"}}, True),
    ({"auto_map": {"AutoTokenizer": ["tokenization_bygpt.T", None]}}, True),
    ({"architectures": ["GPTNeoXForCausalLM"], "model_type": "gpt_neox"}, False),
    ({"architectures": [{"x": 1}], "model_type": 5, "auto_map": [[["deep"]]]}, False),
    ([], False),
])
def test_recognition(config, known):
    assert layout.recognise(config) is known
