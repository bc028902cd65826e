"""Build Hanashi's bundled demo model: ``assets/models/hanashi-demo.gguf``.

A tiny rinna-instruction-like GPT-NeoX (2 layers, hidden 256, a 1,000-piece sentencepiece
vocabulary) made with the project's own code: the tokenizer and config come from
``quantize.tiny`` and the text from ``quantize.tiny.text`` plus the demo exchanges of
``demo_data.py``. It is trained from scratch on whole ``ユーザー: …<NL>システム: …</s>`` exchanges
(one to three turns) and converted with Hanashi's converter to q8_0 (about 2 MB). It knows a
handful of questions and answers — enough to show that the app streams, stops, renders Markdown
and stores a conversation — and answers every other question with a polite "I don't know"
(``FALLBACK``), learned from thousands of varied questions outside its set. After the build every
known question and the held-out unknown ones are asked greedily; the exit status is 1 if any
answer is not as trained. Nothing is downloaded; the build takes about 7 minutes on 2 CPU cores.

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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_data import FALLBACK, HELD_OUT, PAIRS, unknown_questions  # noqa: E402

OUT = ROOT / "assets" / "models" / "hanashi-demo.gguf"
# The folder name tells the converter the family (rinna-instruction) and becomes general.name.
NAME = "hanashi-demo-instruction-sft"
TRAIN_STEPS = 1500
EXAMPLES = 8000
UNKNOWN_SHARE = 0.45  # of the turns trained on: questions outside the set
SEED = 7


def qa_pairs() -> list[tuple[str, str]]:
    return list(PAIRS)


def prose(rng: random.Random) -> str:
    """A sentence of quantize.tiny.text's prose that is not a known question."""
    from quantize.tiny.text import sentence

    return sentence(rng)


def variants(question: str) -> list[str]:
    """The question as people type it: ASCII or full-width question mark, or none."""
    base = question.rstrip("?？。")
    if question.endswith("。"):
        return [question, base]
    return [question, base + "？", base + "?", base] if question != base else [question, question + "？"]


def as_turn(text: str) -> str:
    return text.replace("\n", "<NL>")  # rinna writes a newline inside a turn as <NL>


def dialogues(n: int, seed: int) -> list[str]:
    """Exchanges of one to three turns; the model learns to answer the last question."""
    rng = random.Random(seed)
    pairs = qa_pairs()
    unknown = [(q, FALLBACK) for q in unknown_questions(4000, seed, prose)]
    out = []
    for _ in range(n):
        turns = [rng.choice(unknown) if rng.random() < UNKNOWN_SHARE else rng.choice(pairs)
                 for _ in range(rng.choice((1, 1, 2, 3)))]
        text = "<NL>".join(f"ユーザー: {as_turn(rng.choice(variants(q)))}<NL>システム: {as_turn(a)}"
                           for q, a in turns)
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
    for text in dialogues(EXAMPLES, seed):
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
        lines = training_lines() + [d.replace("<NL>", "\n") for d in dialogues(1500, seed + 1)]
        sp_path = tok.train(folder, tok.RINNA_BPE, lines=lines)
        build_neox(folder, sp_path=sp_path, seed=seed, max_positions=2048)  # untrained weights, saved
        loss = train(folder, steps, seed)
        print(f"trained {folder.name}: {steps} steps, loss {loss:.3f}, {time.monotonic() - t0:.0f}s")
        result = convert(folder, out, "q8_0")
    print(f"wrote {out} ({out.stat().st_size / 2**20:.1f} MiB, family {result.family})")
    if result.token_parity is not None:
        print(result.token_parity.format())
    return out


def check(path: Path = OUT) -> list[str]:
    """Ask the built GGUF every known question (each way it may be typed) and the held-out
    unknown ones, greedily, with and without the app's repetition penalty; returns what is wrong."""
    from app.engine import Engine, generate_reply

    wrong = []
    asked = [(v, a) for q, a in PAIRS for v in variants(q)] + [(q, FALLBACK) for q in HELD_OUT]
    with Engine.load(path, gpu_layers=0, n_ctx=512) as engine:
        for penalty in (1.0, engine.defaults.repetition_penalty):
            for question, answer in asked:
                text = generate_reply(engine, None, [], question, sampling={
                    "temperature": 0, "max_new_tokens": 128, "repetition_penalty": penalty}).text
                if text != answer:
                    wrong.append(f"{question!r} (penalty {penalty}) → {text!r}, expected {answer!r}")
    return wrong


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-o", "--output", type=Path, default=OUT)
    p.add_argument("--steps", type=int, default=TRAIN_STEPS)
    p.add_argument("--seed", type=int, default=SEED)
    a = p.parse_args(argv)
    build(a.output, a.steps, a.seed)
    wrong = check(a.output)
    for line in wrong:
        print("wrong:", line)
    print(f"checked: {'all answers as trained' if not wrong else f'{len(wrong)} wrong'}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
