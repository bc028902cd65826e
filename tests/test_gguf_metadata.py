"""What every converted GGUF carries: standard keys, the chat template, and Hanashi's own keys."""

from __future__ import annotations

from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.formats import Turn, get_format
from quantize.families import FAMILIES, detect_family
from quantize.gguf_info import read_info, read_metadata


def test_rinna_metadata(converted, tiny):
    info = read_info(converted("rinna", "q4_k_m"))
    assert info.family == "rinna-instruction"
    assert info.architecture == "gptneox"
    assert info.sampling == {"temperature": 0.7, "top_p": 1.0, "top_k": 50, "repetition_penalty": 1.1,
                             "max_new_tokens": 128}
    assert info.stop_strings == ["<NL>ユーザー:", "<NL>システム:"]
    assert info.newline == "<NL>"
    assert info.sp_model == (tiny.rinna() / "spiece.model").read_bytes()
    assert info.bos_id == 2 and info.eos_id == 3
    assert info.n_ctx == 2048


def test_dolly_metadata(converted):
    path = converted("dolly", "f32")
    info = read_info(path)
    assert info.family == "dolly"
    assert info.architecture == "gpt2"
    assert info.context_limit == 1024 and info.reply_budget == 100
    assert info.newline == "\\n" and info.strip_pieces == ["[SEP]"]
    assert info.banned_token_ids == [1]  # <unk>
    kv = read_metadata(path)
    assert kv["tokenizer.ggml.add_space_prefix"] is True
    assert "tokenizer.ggml.seperator_token_id" not in kv


def test_every_key_is_under_one_prefix(converted):
    kv = read_metadata(converted("rinna", "f32"))
    own = [k for k in kv if not k.startswith(("general.", "gptneox.", "tokenizer.", "hanashi."))]
    assert own == []
    assert kv["hanashi.format_version"] == 1


def _render(template: str, persona: list[Turn], turns: list[Turn]) -> str:
    env = ImmutableSandboxedEnvironment()
    messages = [{"role": t.role, "content": t.content} for t in persona + turns]
    return env.from_string(template).render(messages=messages, add_generation_prompt=True)


def test_embedded_template_matches_app_format(converted):
    """Other tools using the GGUF's chat template build the same prompt as Hanashi does."""
    info = read_info(converted("rinna", "f32"))
    turns = [Turn("user", "こんにちは\n元気?"), Turn("assistant", "はい。\nあなたは?"), Turn("user", "元気です")]
    assert _render(info.chat_template, [], turns) == get_format(info.family).render([], turns)
    assert _render(info.chat_template, [], turns).endswith("<NL>システム: ")


def test_family_detection(tmp_path):
    cases = {
        "japanese-gpt-neox-3.6b-instruction-ppo": ("GPTNeoXForCausalLM", "rinna-instruction"),
        "japanese-gpt-neox-3.6b-instruction-sft-v2": ("GPTNeoXForCausalLM", "rinna-instruction"),
        "bilingual-gpt-neox-4b-instruction-sft": ("GPTNeoXForCausalLM", "rinna-bilingual"),
        "dolly-japanese-gpt-1b": ("GPT2LMHeadModel", "dolly"),
        "japanese-gpt-neox-3.6b": ("GPTNeoXForCausalLM", "base"),
    }
    for name, (arch, family) in cases.items():
        d = tmp_path / name
        d.mkdir()
        assert detect_family(d, {"architectures": [arch]}) == family, name
    snap = tmp_path / "0123abcd"
    snap.mkdir()
    assert detect_family(snap, {"architectures": ["GPTNeoXForCausalLM"],
                                "_name_or_path": "rinna/japanese-gpt-neox-3.6b-instruction-sft"}) == "rinna-instruction"
    assert set(FAMILIES) == {"rinna-instruction", "rinna-bilingual", "dolly", "base", "bygpt"}
