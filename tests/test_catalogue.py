"""The Get a model catalogue: the seed models' facts, the repo-id check, and the quantization
recommended for machines of several sizes."""

from __future__ import annotations

import dataclasses

import pytest

from app import catalogue
from app.catalogue import RepoIdError, find, parse_repo_id, recommend
from quantize.families import FAMILY_NAMES
from quantize.quantizer import QUANT_TYPES

GiB = 2**30
SEED_IDS = {
    "rinna/japanese-gpt-neox-3.6b", "rinna/japanese-gpt-neox-3.6b-instruction-sft",
    "rinna/japanese-gpt-neox-3.6b-instruction-sft-v2", "rinna/japanese-gpt-neox-3.6b-instruction-ppo",
    "rinna/bilingual-gpt-neox-4b-instruction-sft", "inu-ai/dolly-japanese-gpt-1b",
    "tohoku-nlp/bygpt-jp-multi-lm-head-6.5B-alpha",
}
PPO = "rinna/japanese-gpt-neox-3.6b-instruction-ppo"
DOLLY = "inu-ai/dolly-japanese-gpt-1b"
BYGPT = "tohoku-nlp/bygpt-jp-multi-lm-head-6.5B-alpha"


def test_every_seed_model_is_listed_once_with_its_facts():
    assert {e.repo_id for e in catalogue.SEEDS} == SEED_IDS
    assert len(catalogue.SEEDS) == len(SEED_IDS)
    for e in catalogue.SEEDS:
        assert e.family in FAMILY_NAMES or e.family == "bygpt"
        assert e.licence in ("MIT", "Apache-2.0")
        assert e.description and e.description_ja and e.download_note
        assert e.download_bytes > e.n_params  # at least one byte per weight: 16- or 32-bit checkpoints


def test_card_facts():
    ppo = find(PPO)
    assert (ppo.params_text, ppo.licence, ppo.family, ppo.n_layer, ppo.n_embd, ppo.n_ctx) == \
        ("3.6B", "MIT", "rinna-instruction", 36, 2816, 2048)
    # 36 × 2816 with a 32,000 vocabulary, counted; the card's "3.76B" adds the bool attention masks.
    assert 3.60e9 < ppo.n_params < 3.62e9
    assert abs(ppo.download_bytes - 7.37e9) < 0.02e9  # BF16 + BOOL, as the card's file list says
    assert find("rinna/japanese-gpt-neox-3.6b").family == "base"
    bilingual = find("rinna/bilingual-gpt-neox-4b-instruction-sft")
    assert (bilingual.params_text, bilingual.family) == ("3.8B", "rinna-bilingual")
    assert 3.79e9 < bilingual.n_params < 3.81e9
    dolly = find(DOLLY)
    assert (dolly.params_text, dolly.family, dolly.architecture, dolly.n_ctx) == \
        ("1.3B", "dolly", "GPT2LMHeadModel", 1024)
    assert 1.29e9 < dolly.n_params < 1.31e9
    bygpt = find(BYGPT)
    assert (bygpt.params_text, bygpt.licence) == ("6.5B", "Apache-2.0")
    # No card states its download size: every one is marked approximate and says how it was computed.
    assert all(not e.download_exact and e.download_text().startswith("~") for e in catalogue.SEEDS)


def test_every_seed_model_runs_and_an_unsupported_entry_would_say_why():
    assert all(e.supported for e in catalogue.SEEDS)
    bygpt = find(BYGPT)
    assert bygpt.family == "bygpt" and "assumed" in bygpt.description
    # An entry the engine cannot run is shown with its reason, never recommended.
    blocked = dataclasses.replace(bygpt, supported=False, unsupported_reason="needs a newer Hanashi",
                                  unsupported_reason_ja="新しい Hanashi が必要です")
    rec = recommend(blocked, 64 * GiB, 80 * GiB)
    assert (rec.out_type, rec.where, rec.reason) == (None, "unsupported", "needs a newer Hanashi")


def test_gguf_size_estimates_use_the_quantizer_table():
    ppo = find(PPO)
    for t, (_ftype, bpw) in QUANT_TYPES.items():
        assert ppo.gguf_size(t) == int(ppo.n_params * bpw / 8)
    assert ppo.gguf_size("f16") == ppo.n_params * 2
    assert ppo.gguf_size("q4_k_m") < ppo.gguf_size("q8_0") < ppo.gguf_size("f16")


@pytest.mark.parametrize("ram_gib, vram_gib, expected, where", [
    (2, 0, None, "too_small"),  # 3.6B: even q2_k + context does not fit
    (3, 0, "q2_k", "ram_tight"),
    (4, 0, "q3_k_m", "ram"),
    (8, 0, "q4_k_m", "ram"),  # the balanced CPU choice
    (64, 0, "q4_k_m", "ram"),  # more RAM does not make a CPU faster: still q4_k_m
    (16, 4, "q5_k_m", "gpu"),  # best quality that fits in 4 GB with the 2048-token context
    (16, 6, "q8_0", "gpu"),
    (16, 24, "q8_0", "gpu"),
    (16, 1, "q4_k_m", "ram"),  # the GPU is too small: runs from RAM, and says so
])
def test_recommendation_for_the_36b_models(ram_gib, vram_gib, expected, where):
    ppo = find(PPO)
    rec = recommend(ppo, ram_gib * GiB, vram_gib * GiB)
    assert (rec.out_type, rec.where) == (expected, where)
    if expected:
        assert rec.reason.startswith(f"{expected}: about ")
        assert rec.file_size == ppo.gguf_size(expected)
        memory = vram_gib if where == "gpu" else ram_gib
        assert f"{memory:.1f} GB" in rec.reason
    if where == "gpu":
        assert "fits in your GPU" in rec.reason and "room for the context" in rec.reason
        need = rec.file_size + ppo.context_bytes() + catalogue.GPU_HEADROOM
        assert need <= vram_gib * GiB
    if where == "ram":
        assert "leaves room" in rec.reason
    if vram_gib and where != "gpu":
        assert "too large for your GPU" in rec.reason
    if where == "too_small":
        assert rec.reason.startswith("too large for this machine") and "q2_k" in rec.reason


def test_small_model_gets_q8_0_on_a_modest_machine():
    dolly = find(DOLLY)
    rec = recommend(dolly, 4 * GiB, 0)
    assert (rec.out_type, rec.where) == ("q8_0", "ram")
    size = dolly.gguf_size("q8_0") / GiB
    assert rec.reason == f"q8_0: about {size:.1f} GB, leaves room in the 4.0 GB of RAM free now"
    assert recommend(dolly, 1 * GiB, 0).out_type in ("q3_k_m", "q2_k")  # still runs, as a smaller type
    assert recommend(dolly, 256 * 2**20, 0).out_type is None


def test_unknown_free_memory_falls_back_to_the_usual_choice():
    rec = recommend(find(PPO), None, 0)
    assert rec.out_type == "q4_k_m" and "does not report" in rec.reason


def test_machine_memory_is_measured_locally():
    ram, vram = catalogue.machine_memory()
    assert ram is None or ram > 0
    assert vram >= 0


@pytest.mark.parametrize("text, repo", [
    ("rinna/japanese-gpt-neox-3.6b", "rinna/japanese-gpt-neox-3.6b"),
    ("  inu-ai/dolly-japanese-gpt-1b\n", "inu-ai/dolly-japanese-gpt-1b"),
    ("https://huggingface.co/rinna/japanese-gpt-neox-3.6b-instruction-ppo", PPO),
    ("huggingface.co/rinna/japanese-gpt-neox-3.6b-instruction-ppo/tree/main", PPO),
    ("tohoku-nlp/bygpt-jp-multi-lm-head-6.5B-alpha", BYGPT),
])
def test_repo_ids_accepted(text, repo):
    assert parse_repo_id(text) == repo


@pytest.mark.parametrize("text", [
    "", "   ", "gpt2", "a/b/c", "rinna/japanese gpt", "rinna/-bad", "rinna/bad-", "rin--na/x", "a/b..c",
    "../etc/passwd", "rinna/" + "x" * 97, "org/名前",
])
def test_repo_ids_refused_with_a_reason(text):
    with pytest.raises(RepoIdError) as e:
        parse_repo_id(text)
    assert "ORG/NAME" in str(e.value) or "repo id" in str(e.value)


def test_find_is_case_insensitive_and_exact():
    assert find("RINNA/Japanese-GPT-NeoX-3.6b").repo_id == "rinna/japanese-gpt-neox-3.6b"
    assert find("rinna/japanese-gpt-neox") is None
