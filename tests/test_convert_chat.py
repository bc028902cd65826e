"""A converted tiny rinna-like model loads in llama-cpp-python and answers in its format."""

from __future__ import annotations

from quantize.gguf_info import read_info
from quantize.llama_lib import load

Llama = load().Llama


def test_converted_model_chats_in_rinna_format(converted):
    path = converted("rinna", "q8_0")
    llm = Llama(str(path), n_ctx=256, verbose=False)
    try:
        prompt = "ユーザー: 日本で一番高い山は?<NL>システム: "
        out = llm.create_completion(prompt, max_tokens=24, temperature=0)
        choice = out["choices"][0]
        # The model was trained to answer and then end its turn with </s>.
        assert choice["finish_reason"] == "stop"
        assert choice["text"].endswith("。")
        assert "<NL>" not in choice["text"]
    finally:
        llm.close()


def test_llama_cpp_reads_standard_keys(converted):
    path = converted("rinna", "q4_k_m")
    llm = Llama(str(path), n_ctx=128, verbose=False)
    try:
        meta = llm.metadata
        assert meta["general.architecture"] == "gptneox"
        assert meta["tokenizer.ggml.model"] == "llama"
        assert meta["tokenizer.ggml.add_bos_token"] == "false"
        assert "tokenizer.ggml.seperator_token_id" not in meta
        assert meta["tokenizer.chat_template"].startswith("{%")
        # Prompts are tokenized as written: no BOS, EOS or [SEP] is added.
        with_special = llm.tokenize("こんにちは".encode(), add_bos=True)
        assert with_special == llm.tokenize("こんにちは".encode(), add_bos=False)
        assert read_info(path).bos_id not in with_special
    finally:
        llm.close()
