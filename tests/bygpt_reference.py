"""The PyTorch reference of the byte-level multi-head model, as Hanashi's layout table assumes it.

Written independently of ``quantize.bygpt`` (it does not import it) so that comparing the two tests
the converter, the runtime and the byte encoding against one plain statement of the design:

* the byte encoding: each character's code point in mixed radix 7·24·56·127, digits offset to
  E0 / C0 / 80 / 01; special tokens FF DF BF-k 00;
* the input of position t: the embeddings of its 4 bytes concatenated → Linear(4E → H) (+ bias);
* a transformers ``LlamaModel`` backbone fed ``inputs_embeds``; its final-norm hidden state h_t;
* LM head j: Linear(H → V) on h_t, predicting byte j of position t+1;
* generation: prompt = bos + text; each step appends the 4 predicted bytes as one position; stops at
  the group of "\\n" or eos.

Weights are read from the folder's config.json and safetensors only; no model code is imported.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

P = 4
SPECIALS = {"<pad>": bytes([0xFF, 0xDF, 0xBF, 0x00]), "<s>": bytes([0xFF, 0xDF, 0xBE, 0x00]),
            "</s>": bytes([0xFF, 0xDF, 0xBD, 0x00]), "<unk>": bytes([0xFF, 0xDF, 0xBC, 0x00])}


class ReferenceTokenizer:
    """The assumed byte encoding, written out digit by digit."""

    bos = SPECIALS["<s>"]
    eos = SPECIALS["</s>"]

    def encode_char(self, ch: str) -> bytes:
        c = ord(ch)
        if 0xD800 <= c <= 0xDFFF:
            c = 0xFFFD
        d3 = c % 127
        c //= 127
        d2 = c % 56
        c //= 56
        d1 = c % 24
        d0 = c // 24
        return bytes([0xE0 + d0, 0xC0 + d1, 0x80 + d2, 0x01 + d3])

    def encode(self, text: str, parse_special: bool = False) -> list[int]:
        out = bytearray()
        i = 0
        while i < len(text):
            if parse_special:
                hit = next((s for s in sorted(SPECIALS, key=len, reverse=True) if text.startswith(s, i)), None)
                if hit:
                    out += SPECIALS[hit]
                    i += len(hit)
                    continue
            out += self.encode_char(text[i])
            i += 1
        return list(out)

    def decode(self, data) -> str:
        data = bytes(data)
        names = {v: k for k, v in SPECIALS.items()}
        text = []
        for s in range(0, len(data) - len(data) % P, P):
            g = data[s:s + P]
            if g in names:
                text.append(names[g])
                continue
            d = [g[0] - 0xE0, g[1] - 0xC0, g[2] - 0x80, g[3] - 0x01]
            if not (0 <= d[0] < 7 and 0 <= d[1] < 24 and 0 <= d[2] < 56 and 0 <= d[3] < 127):
                text.append("\ufffd")
                continue
            c = ((d[0] * 24 + d[1]) * 56 + d[2]) * 127 + d[3]
            text.append(chr(c) if c <= 0x10FFFF and not 0xD800 <= c <= 0xDFFF else "\ufffd")
        return "".join(text)


class ByGPTReference(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        from transformers import LlamaConfig, LlamaModel

        self.H, self.V = cfg["hidden_size"], cfg.get("vocab_size", 256)
        self.E = cfg.get("byte_embedding_size", self.H // P)
        lc = LlamaConfig(vocab_size=self.V, hidden_size=self.H, num_hidden_layers=cfg["num_hidden_layers"],
                         num_attention_heads=cfg["num_attention_heads"],
                         num_key_value_heads=cfg.get("num_key_value_heads", cfg["num_attention_heads"]),
                         intermediate_size=cfg["intermediate_size"],
                         max_position_embeddings=cfg["max_position_embeddings"],
                         rms_norm_eps=cfg.get("rms_norm_eps", 1e-6), rope_theta=cfg.get("rope_theta", 10000.0),
                         hidden_act="silu", attn_implementation="eager")
        self.model = LlamaModel(lc)
        self.model.embed_tokens = nn.Embedding(self.V, self.E)
        self.merge = nn.Linear(P * self.E, self.H, bias=cfg.get("merge_bias", True))
        self.lm_heads = nn.ModuleList(nn.Linear(self.H, self.V, bias=False) for _ in range(P))
        self.tokenizer = ReferenceTokenizer()

    @classmethod
    def from_pretrained(cls, folder: str | Path, dtype=torch.float32) -> "ByGPTReference":
        from safetensors.torch import load_file

        folder = Path(folder)
        cfg = json.loads((folder / "config.json").read_text())
        model = cls(cfg)
        state = {k: v.to(dtype) for k, v in load_file(str(folder / "model.safetensors")).items()}
        model.load_state_dict(state, strict=True)
        return model.to(dtype).eval()

    def merged(self, byte_ids: torch.Tensor) -> torch.Tensor:
        """[B, T·4] byte ids → [B, T, H] position inputs."""
        b, n = byte_ids.shape
        e = self.model.embed_tokens(byte_ids).reshape(b, n // P, P * self.E)
        return self.merge(e)

    @torch.no_grad()
    def forward(self, byte_ids: torch.Tensor):
        """(final-norm hidden states [B, T, H], logits [B, T, 4, V]) of whole positions."""
        h = self.model(inputs_embeds=self.merged(byte_ids)).last_hidden_state
        logits = torch.stack([head(h) for head in self.lm_heads], dim=2)
        return h, logits

    @torch.no_grad()
    def generate(self, prompt: bytes, max_new_bytes: int = 64, greedy: bool = True, temperature: float = 1.0,
                 seed: int = 0, stop: bytes | None = None) -> bytes:
        """The continuation of ``prompt`` (whole groups), without the stop/eos group that ended it."""
        stop = self.tokenizer.encode("\n") if stop is None else stop
        g = torch.Generator().manual_seed(seed)
        ids = list(prompt)
        out = b""
        while len(out) < max_new_bytes:
            _, logits = self(torch.tensor([ids]))
            last = logits[0, -1]  # [4, V]
            if greedy:
                group = bytes(int(x) for x in last.argmax(-1))
            else:
                probs = torch.softmax(last / temperature, -1)
                group = bytes(int(torch.multinomial(probs[j], 1, generator=g)) for j in range(P))
            if group in (bytes(stop), self.tokenizer.eos):
                break
            out += group
            ids += list(group)
        return out
