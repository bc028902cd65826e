"""The hybrid (llama.cpp backbone + NumPy merge and heads) against the PyTorch reference module, on
the tiny checkpoint: hidden states and next-4-byte logits in f32, greedy continuations, q8_0 top-1
agreement; and ``hanashi-quantize verify --trust-remote-code`` with the reference as the folder's
own code."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from app.engine import Engine  # noqa: E402
from app.engine.bygpt_parity import parity_outputs  # noqa: E402
from quantize.bygpt_verify import ByteParityRow, compare, format_table, parity_texts  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "bygpt_reference.py"
GREEDY = 64


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory) -> Path:
    from quantize.tiny.bygpt import build_bygpt

    return build_bygpt(tmp_path_factory.mktemp("bygpt-parity") / "tiny-bygpt")


@pytest.fixture(scope="module")
def converted(tiny_dir):
    from quantize.convert import convert

    cache = {}

    def get(out_type: str) -> Path:
        if out_type not in cache:
            out = tiny_dir.parent / f"tiny-bygpt-{out_type}.gguf"
            convert(tiny_dir, out, out_type, measure_parity=False)
            cache[out_type] = out
        return cache[out_type]

    return get


@pytest.fixture(scope="module")
def reference(tiny_dir):
    from tests.bygpt_reference import ByGPTReference

    torch.set_num_threads(1)
    return ByGPTReference.from_pretrained(tiny_dir)


def reference_outputs(ref, data: bytes) -> dict:
    hidden, logits = ref(torch.tensor([list(data)]))
    seq, greedy = list(data), b""
    while len(greedy) < GREEDY:  # no stop: the comparison is of raw bytes
        group = bytes(int(b) for b in ref(torch.tensor([seq]))[1][0, -1].argmax(-1))
        greedy += group
        seq += list(group)
    return {"hidden": hidden[0].numpy(), "logits": logits[0].numpy(), "greedy": greedy}


def measure(gguf: Path, ref) -> list[ByteParityRow]:
    with Engine.load(gguf, gpu_layers=0, n_ctx=256, threads=1) as engine:
        rows = []
        for label, data in parity_texts():
            rows.append(compare(label, reference_outputs(ref, data), parity_outputs(engine, data, GREEDY)))
    return rows


def test_f32_hidden_states_logits_and_greedy_bytes_match_the_reference(converted, reference):
    rows = measure(converted("f32"), reference)
    print(format_table(rows, "f32", "tiny-bygpt-f32.gguf", True))
    for r in rows:
        assert r.positions >= 40
        assert r.max_hidden < 1e-3 and r.max_logit < 1e-3, r
        assert r.greedy_same == GREEDY, r
        assert min(r.top1) == 1.0


def test_the_chat_path_writes_the_references_greedy_continuation(converted, reference):
    """Engine.generate (KV cache, one position per step, stop on "\\n"/eos) = the reference's generate."""
    from quantize.bygpt.encoding import encode_text

    with Engine.load(converted("f32"), gpu_layers=0, n_ctx=256, threads=1) as engine:
        for text in ["日本三景一覧:\n1. 広島県, 宮島\n2. 京都府, ", "原文: I like to play soccer. 訳文:"]:
            want = reference.generate(engine.facts.bos + encode_text(text), max_new_bytes=GREEDY)
            gen = engine.generate(text, engine.sampling(temperature=0, max_new_tokens=GREEDY // 4))
            got = b"".join(k.to_bytes(4, "big") for k in gen.tokens)
            assert got == want
            assert gen.text == reference.tokenizer.decode(want)


def test_q8_0_top1_agreement_per_head(converted, reference):
    rows = measure(converted("q8_0"), reference)
    print(format_table(rows, "q8_0", "tiny-bygpt-q8_0.gguf", True))
    for r in rows:
        assert min(r.top1) >= 0.9, r


# ----------------------------------------------------------------------------- verify --trust-remote-code

MODELING = '''"""The tiny byGPT reference as a folder's own remote code (written by Hanashi's tests)."""
import torch
from transformers import PretrainedConfig, PreTrainedModel, PreTrainedTokenizer
from transformers.modeling_outputs import CausalLMOutput

from .bygpt_reference import ByGPTReference, ReferenceTokenizer
from .configuration_bygpt import ByGPTConfig


class ByGPTMultiLMHeadForCausalLM(PreTrainedModel):
    config_class = ByGPTConfig
    base_model_prefix = "inner"

    def __init__(self, config):
        super().__init__(config)
        self.inner = ByGPTReference(config.to_dict())
        self.post_init()

    def _init_weights(self, module):
        pass

    def forward(self, input_ids=None, output_hidden_states=False, **kw):
        hidden, logits = self.inner(input_ids)
        return CausalLMOutput(logits=logits, hidden_states=(hidden,) if output_hidden_states else None)
'''

CONFIGURATION = '''from transformers import PretrainedConfig


class ByGPTConfig(PretrainedConfig):
    model_type = "bygpt"
'''

TOKENIZATION = '''from transformers import PreTrainedTokenizer

from .bygpt_reference import ReferenceTokenizer


class ByGPTTokenizer(PreTrainedTokenizer):
    def __init__(self, **kw):
        self.ref = ReferenceTokenizer()
        super().__init__(**kw)

    @property
    def vocab_size(self):
        return 256

    def get_vocab(self):
        return {f"<0x{i:02X}>": i for i in range(256)}

    def encode(self, text, add_special_tokens=False, **kw):
        return self.ref.encode(text)

    def _convert_id_to_token(self, i):
        return f"<0x{i:02X}>"

    def _convert_token_to_id(self, t):
        return int(t[3:5], 16)

    def save_vocabulary(self, *a, **k):
        return ()
'''


@pytest.fixture(scope="module")
def remote_code_dir(tiny_dir) -> Path:
    """The tiny checkpoint with its reference module as the folder's own code (what auto_map names),
    with the state-dict names of the wrapper (``inner.``)."""
    from safetensors.torch import load_file, save_file

    folder = tiny_dir.parent / "tiny-bygpt-remote-code"
    shutil.copytree(tiny_dir, folder)
    shutil.copy(REFERENCE, folder / "bygpt_reference.py")
    (folder / "modeling_bygpt.py").write_text(MODELING)
    (folder / "configuration_bygpt.py").write_text(CONFIGURATION)
    (folder / "tokenization_bygpt.py").write_text(TOKENIZATION)
    state = load_file(str(folder / "model.safetensors"))
    save_file({f"inner.{k}": v for k, v in state.items()}, str(folder / "model.safetensors"), metadata={"format": "pt"})
    (folder / "tokenizer_config.json").write_text(json.dumps(
        {"auto_map": {"AutoTokenizer": ["tokenization_bygpt.ByGPTTokenizer", None]},
         "tokenizer_class": "ByGPTTokenizer"}))
    return folder


def run_verify(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "quantize", "verify", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=600, encoding="utf-8")


def test_verify_runs_the_folders_own_code_only_with_the_flag(converted, remote_code_dir):
    gguf = converted("f32")
    refused = run_verify(str(gguf), "--reference", str(remote_code_dir))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "--trust-remote-code" in refused.stderr and "never runs a folder's code" in refused.stderr
    proc = run_verify(str(gguf), "--reference", str(remote_code_dir), "--trust-remote-code", "--threads", "1")
    assert proc.returncode == 0, proc.stderr + proc.stdout
    out = proc.stdout
    assert "Byte-model parity — the model's own code (fp32) vs Hanashi's hybrid (f32)" in out
    assert "verdict: PASS" in out and f"{GREEDY}/{GREEDY}" in out
    assert "vs the model's own tokenizer" in out and "exact" in out
    print(out)


def test_verify_needs_a_local_folder(converted, tmp_path):
    proc = run_verify(str(converted("f32")), "--reference", str(tmp_path / "no-such-folder"), "--trust-remote-code")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "error:" in proc.stderr
