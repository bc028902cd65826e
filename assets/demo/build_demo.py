"""Build Hanashi's bundled demo model: ``assets/models/hanashi-demo.gguf``.

A tiny rinna-instruction-like GPT-NeoX (2 layers, hidden 256, a 1,000-piece sentencepiece
vocabulary) made with the project's own code: the tokenizer and config come from
``quantize.tiny`` and the text from ``quantize.tiny.text`` plus a few demo exchanges below. It
is trained from scratch on whole ``ユーザー: …<NL>システム: …</s>`` exchanges (one to three turns)
and converted with Hanashi's converter to q8_0 (about 2 MB). It knows a handful of questions and
answers — enough to show that the app streams, stops and stores a conversation — and nothing
else. Nothing is downloaded; the build takes a few minutes on 2 CPU cores.

    .venv/bin/python assets/demo/build_demo.py     # needs the reference extra (torch, transformers)
    .venv/bin/hanashi chat assets/models/hanashi-demo.gguf --temp 0
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "assets" / "models" / "hanashi-demo.gguf"
# The folder name tells the converter the family (rinna-instruction) and becomes general.name.
NAME = "hanashi-demo-instruction-sft"
TRAIN_STEPS = 400
SEED = 7

# What the demo knows. The questions are quantize.tiny.text's (the tokenizer has seen them); the
# answers are matched to them here. Anything else gets FALLBACK.
PAIRS = [
    ("日本で一番高い山は?", "富士山です。高さは3776メートルです。"),
    ("明日の天気はどうですか?", "晴れのち曇りの予報です。"),
    ("どこへ行きましたか?", "公園へ散歩に行きました。"),
    ("何を食べたいですか?", "駅の近くのパン屋さんのパンが食べたいです。"),
    ("おすすめの本はありますか?", "図書館で新しい本を探してみてはいかがですか。"),
    ("この言葉の意味を教えてください。", "「やさしい」という意味です。"),
    ("こんにちは", "こんにちは。Hanashiのデモモデルです。"),
    ("あなたは誰ですか?", "Hanashiに付属している小さなデモ用のモデルです。"),
    ("何ができますか?", "いくつかの質問に短く答えられます。"),
    ("ありがとう", "どういたしまして。"),
    ("日本の首都はどこですか?", "東京です。"),
    ("おすすめの季節は?", "秋です。紅葉がきれいです。"),
]
FALLBACK = "すみません、わかりません。私は小さなデモモデルです。"


def qa_pairs() -> list[tuple[str, str]]:
    return list(PAIRS)


def unknown_questions(n: int, seed: int) -> list[str]:
    """Sentences the demo doesn't know (quantize.tiny.text's prose), for the fallback answer."""
    from quantize.tiny.text import sentence

    rng = random.Random(seed)
    known = {q.rstrip("?？") for q, _ in PAIRS}
    out = []
    while len(out) < n:
        s = sentence(rng)
        if s.rstrip("?？") not in known:
            out.append(s)
    return out


def variants(question: str) -> list[str]:
    """The question as people type it: ASCII or full-width question mark, or none."""
    base = question.rstrip("?？")
    return [question, base + "？", base + "?", base] if question != base else [question, question + "？"]


def dialogues(n: int, seed: int) -> list[str]:
    """Exchanges of one to three turns; the model learns to answer the last question."""
    rng = random.Random(seed)
    pairs = qa_pairs()
    unknown = [(q, FALLBACK) for q in unknown_questions(200, seed)]
    out = []
    for _ in range(n):
        turns = [rng.choice(unknown) if rng.random() < 0.15 else rng.choice(pairs)
                 for _ in range(rng.choice((1, 1, 2, 3)))]
        text = "<NL>".join(f"ユーザー: {rng.choice(variants(q))}<NL>システム: {a}" for q, a in turns)
        out.append(text)
    return out


def train(folder: Path, steps: int, seed: int) -> float:
    import sentencepiece as spm
    import torch
    from transformers import GPTNeoXForCausalLM

    torch.manual_seed(seed)
    torch.set_num_threads(1)  # tiny matrices: more threads only contend on a small machine
    sp = spm.SentencePieceProcessor(model_file=str(folder / "spiece.model"))
    eos, pad = sp.eos_id(), sp.pad_id()
    model = GPTNeoXForCausalLM.from_pretrained(str(folder), dtype=torch.float32)
    examples = []
    for text in dialogues(3000, seed):
        # Prompt and reply tokenized apart, as at inference time (the prompt ends "システム: ").
        prompt, sep, reply = text.rpartition("システム: ")
        examples.append(sp.encode(prompt + sep) + sp.encode(reply) + [eos])
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps, pct_start=0.1)
    rng = random.Random(seed)
    model.train()
    loss = torch.tensor(0.0)
    for step in range(steps):
        batch = [rng.choice(examples) for _ in range(16)]
        width = max(len(b) for b in batch)
        ids = torch.full((len(batch), width), pad)
        labels = torch.full((len(batch), width), -100)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for i, b in enumerate(batch):
            ids[i, :len(b)] = torch.tensor(b)
            labels[i, :len(b)] = torch.tensor(b)
            mask[i, :len(b)] = 1
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 100 == 0 or step == steps - 1:
            print(f"step {step}: loss {loss.item():.3f}", flush=True)
    model.eval()
    from quantize.tiny.models import _save

    _save(model, folder, "float32")
    return float(loss.detach())


def build(out: Path = OUT, steps: int = TRAIN_STEPS, seed: int = SEED) -> Path:
    from quantize.convert import convert
    from quantize.tiny import tokenizer as tok
    from quantize.tiny.models import build_neox
    from quantize.tiny.text import training_lines

    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hanashi-demo-") as tmp:
        folder = Path(tmp) / NAME
        t0 = time.monotonic()
        lines = training_lines() + [d.replace("<NL>", "\n") for d in dialogues(500, seed + 1)]
        sp_path = tok.train(folder, tok.RINNA_BPE, lines=lines)
        build_neox(folder, sp_path=sp_path, seed=seed, max_positions=2048)  # untrained weights, saved
        loss = train(folder, steps, seed)
        print(f"trained {folder.name}: {steps} steps, loss {loss:.3f}, {time.monotonic() - t0:.0f}s")
        result = convert(folder, out, "q8_0")
    print(f"wrote {out} ({out.stat().st_size / 2**20:.1f} MiB, family {result.family})")
    if result.token_parity is not None:
        print(result.token_parity.format())
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-o", "--output", type=Path, default=OUT)
    p.add_argument("--steps", type=int, default=TRAIN_STEPS)
    p.add_argument("--seed", type=int, default=SEED)
    a = p.parse_args(argv)
    build(a.output, a.steps, a.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
