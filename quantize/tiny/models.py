"""Tiny GPT-NeoX (rinna-like) and GPT-2 (dolly-like) checkpoints saved by transformers.

The configs carry the real models' fields at a small size. ``train_steps`` trains the model
briefly on generated dialogue so its next-token distributions are peaked, as a real model's are:
that is what makes quantized top-1 agreement meaningful.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from . import tokenizer as tok
from .text import instruction_dialogues, paragraphs


def _train(model, sp_path: Path, steps: int, seq: int = 64, batch: int = 8, seed: int = 0) -> float:
    import sentencepiece as spm
    import torch

    torch.set_num_threads(1)  # tiny matrices: one thread is as fast and shares the machine well
    proc = spm.SentencePieceProcessor(model_file=str(sp_path))
    eos = proc.eos_id()
    ids: list[int] = []
    for text in instruction_dialogues(1500, seed) + paragraphs(300, seed):
        # Tokenize the prompt and the reply apart, as they are at inference time, where the
        # prompt ends with "システム: " and the reply's tokens follow.
        prompt, sep, reply = text.replace("</s>", "").rpartition("システム: ")
        parts = [prompt + sep, reply] if sep else [text]
        for part in parts:
            ids += proc.encode(part, out_type=int)
        ids.append(eos)
    data = torch.tensor(ids[: (len(ids) // seq) * seq]).view(-1, seq)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    rng = random.Random(seed)
    model.train()
    loss = torch.tensor(0.0)
    for _ in range(steps):
        rows = torch.tensor([rng.randrange(data.shape[0]) for _ in range(batch)])
        x = data[rows]
        loss = model(input_ids=x, labels=x).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    return float(loss.detach())


def _save(model, out_dir: Path, dtype: str, old_rope_keys: bool = False) -> None:
    import torch

    model = model.to({"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[dtype])
    model.save_pretrained(str(out_dir), safe_serialization=True)
    cfg_path = out_dir / "config.json"
    cfg = json.loads(cfg_path.read_text())
    if old_rope_keys:
        # 2023 checkpoints (transformers 4) spell the rotary settings this way.
        rope = cfg.pop("rope_parameters", None) or {}
        cfg["rotary_pct"] = rope.get("partial_rotary_factor", cfg.pop("partial_rotary_factor", 1.0))
        cfg["rotary_emb_base"] = rope.get("rope_theta", cfg.pop("rope_theta", 10000))
    cfg_path.write_text(json.dumps(cfg, indent=2))
    (out_dir / "generation_config.json").unlink(missing_ok=True)


def build_neox(out_dir: Path, flavor: tok.SpFlavor = tok.RINNA_BPE, *, hidden: int = 256, layers: int = 2,
               heads: int = 4, ffn: int = 1024, parallel: bool = False, rotary_pct: float = 1.0,
               tied: bool = False, dtype: str = "float32", train_steps: int = 0, seed: int = 0,
               old_rope_keys: bool = False, max_positions: int = 2048, sp_path: Path | None = None) -> Path:
    """A rinna-like GPT-NeoX folder: config.json, model.safetensors, spiece.model, tokenizer files."""
    import torch
    from transformers import GPTNeoXConfig, GPTNeoXForCausalLM

    out_dir.mkdir(parents=True, exist_ok=True)
    if sp_path is None:
        sp_path = tok.train(out_dir, flavor)
    elif sp_path != out_dir / "spiece.model":
        (out_dir / "spiece.model").write_bytes(Path(sp_path).read_bytes())
    tok.write_tokenizer_files(out_dir, flavor)
    import sentencepiece as spm

    vocab = spm.SentencePieceProcessor(model_file=str(out_dir / "spiece.model")).get_piece_size()
    torch.manual_seed(seed)
    cfg = GPTNeoXConfig(vocab_size=vocab, hidden_size=hidden, num_hidden_layers=layers,
                        num_attention_heads=heads, intermediate_size=ffn, hidden_act="gelu",
                        max_position_embeddings=max_positions, rotary_pct=rotary_pct,
                        partial_rotary_factor=rotary_pct, rotary_emb_base=10000, rope_theta=10000,
                        use_parallel_residual=parallel, layer_norm_eps=1e-5, tie_word_embeddings=tied,
                        bos_token_id=2, eos_token_id=3, initializer_range=0.02)
    model = GPTNeoXForCausalLM(cfg)
    if train_steps:
        _train(model, out_dir / "spiece.model", train_steps, seed=seed)
    _save(model, out_dir, dtype, old_rope_keys)
    return out_dir


def build_gpt2(out_dir: Path, flavor: tok.SpFlavor = tok.DOLLY, *, hidden: int = 256, layers: int = 2,
               heads: int = 4, ffn: int = 1024, n_ctx: int = 1024, dtype: str = "float32",
               train_steps: int = 0, seed: int = 0) -> Path:
    """A dolly-like GPT-2 folder (Conv1D weights, tied output, gelu_fast)."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    out_dir.mkdir(parents=True, exist_ok=True)
    sp_path = tok.train(out_dir, flavor)
    tok.write_tokenizer_files(out_dir, flavor)
    import sentencepiece as spm

    vocab = spm.SentencePieceProcessor(model_file=str(sp_path)).get_piece_size()
    torch.manual_seed(seed)
    cfg = GPT2Config(vocab_size=vocab, n_embd=hidden, n_layer=layers, n_head=heads, n_inner=ffn,
                     n_positions=n_ctx, activation_function="gelu_fast", layer_norm_epsilon=1e-5,
                     bos_token_id=2, eos_token_id=3, tie_word_embeddings=True)
    model = GPT2LMHeadModel(cfg)
    if train_steps:
        _train(model, sp_path, train_steps, seed=seed)
    _save(model, out_dir, dtype)
    return out_dir
