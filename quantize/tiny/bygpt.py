"""A tiny random-weight checkpoint of the byte-level multi-head model, in the layout table's layout.

The Llama backbone comes from transformers' LlamaModel (random, seeded); the byte embedding, the
merge module and the 4 LM heads are added under the names of ``quantize.bygpt.layout``. config.json
carries an ``auto_map`` naming remote-code files that do not exist: converting the folder proves
that Hanashi never imports or runs a model's code. The heads are initialised wider than a fresh
model's so that each head's next-byte distribution is peaked, as a trained model's is (that is what
makes quantized top-1 agreement meaningful).
"""

from __future__ import annotations

import json
from pathlib import Path

ARCHITECTURE = "ByGPTMultiLMHeadForCausalLM"
AUTO_MAP = {"AutoConfig": "configuration_bygpt.ByGPTConfig",
            "AutoModelForCausalLM": "modeling_bygpt.ByGPTMultiLMHeadForCausalLM",
            "AutoTokenizer": ["tokenization_bygpt.ByGPTTokenizer", None]}


def build_bygpt(out_dir: Path, *, hidden: int = 256, layers: int = 2, heads: int = 4, kv_heads: int = 2,
                ffn: int = 512, byte_embd: int = 96, vocab: int = 256, bytes_per_position: int = 4,
                max_positions: int = 2048, merge_bias: bool = True, head_std: float = 0.2,
                dtype: str = "float32", seed: int = 0) -> Path:
    """Write config.json and model.safetensors of a tiny byte-level multi-head model into ``out_dir``."""
    import torch
    from safetensors.torch import save_file
    from transformers import LlamaConfig, LlamaModel

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    lc = LlamaConfig(vocab_size=vocab, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
                     num_key_value_heads=kv_heads, intermediate_size=ffn, max_position_embeddings=max_positions,
                     rms_norm_eps=1e-5, rope_theta=10000.0, hidden_act="silu", initializer_range=0.05,
                     tie_word_embeddings=False)
    backbone = LlamaModel(lc)
    state = {f"model.{k}": v for k, v in backbone.state_dict().items() if not k.startswith("embed_tokens.")}
    g = torch.Generator().manual_seed(seed + 1)
    P, E, H, V = bytes_per_position, byte_embd, hidden, vocab
    state["model.embed_tokens.weight"] = torch.randn(V, E, generator=g)
    state["merge.weight"] = torch.randn(H, P * E, generator=g) / (P * E) ** 0.5
    if merge_bias:
        state["merge.bias"] = torch.randn(H, generator=g) * 0.02
    for j in range(P):
        state[f"lm_heads.{j}.weight"] = torch.randn(V, H, generator=g) * head_std
    torch_dtype = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[dtype]
    state = {k: v.detach().to(torch_dtype).contiguous() for k, v in state.items()}
    save_file(state, str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    config = {
        "architectures": [ARCHITECTURE],
        "model_type": "bygpt",
        "auto_map": AUTO_MAP,
        "hidden_size": H, "num_hidden_layers": layers, "num_attention_heads": heads,
        "num_key_value_heads": kv_heads, "intermediate_size": ffn, "max_position_embeddings": max_positions,
        "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "hidden_act": "silu", "vocab_size": V,
        "byte_embedding_size": E, "bytes_per_position": P, "num_lm_heads": P,
        "merge_bias": merge_bias, "torch_dtype": dtype,
    }
    (out_dir / "config.json").write_text(json.dumps(config, indent=2))
    return out_dir
