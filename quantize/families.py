"""Model families Hanashi recognises, with the facts their model cards fix.

One place holds each family's conversation template (as Jinja, written into the GGUF as
``tokenizer.chat_template``), sampling defaults, stop strings and newline mapping. The app's prompt
formatters read the same constants, so a converted file and the running app cannot disagree.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

RINNA_INSTRUCTION = "rinna-instruction"
RINNA_BILINGUAL = "rinna-bilingual"
DOLLY = "dolly"
BASE = "base"
# The byte-level multi-head model (quantize/bygpt): completion mode, run by Hanashi's own byte
# runtime; not a prompt format of its own, so it is not among FAMILY_NAMES.
BYGPT = "bygpt"

FAMILY_NAMES = (RINNA_INSTRUCTION, RINNA_BILINGUAL, DOLLY, BASE)

# dolly-japanese-gpt-1b's prompt. The "\n" in these strings are two characters (backslash, n), as
# in the card's raw strings: the model was trained on text whose newlines were escaped that way.
DOLLY_INPUT_PROMPT = (
    r"\n以下は、タスクを説明する指示と、文脈のある入力の組み合わせです。要求を適切に満たす応答を書きなさい。"
    r"\n[SEP]\n指示:\n{instruction}\n[SEP]\n入力:\n{input}\n[SEP]\n応答:\n"
)
DOLLY_NO_INPUT_PROMPT = (
    r"\n以下は、タスクを説明する指示です。要求を適切に満たす応答を書きなさい。"
    r"\n[SEP]\n指示:\n{instruction}\n[SEP]\n応答:\n"
)
DOLLY_CONTEXT = 1024
DOLLY_REPLY_BUDGET = 100


@dataclass(frozen=True)
class Sampling:
    temperature: float
    top_p: float = 1.0
    top_k: int = 50  # transformers' generate() default when the card names none
    repetition_penalty: float = 1.0
    max_new_tokens: int = 128


@dataclass(frozen=True)
class Family:
    name: str
    description: str
    sampling: Sampling
    # Raw model-text strings that end a reply (the end-of-sequence token is always a stop too).
    stop_strings: tuple[str, ...] = ()
    # How a real newline is written in the model's text ("" = as itself).
    newline: str = ""
    # Pieces removed from displayed output.
    strip_pieces: tuple[str, ...] = ()
    # Tokens never sampled (by piece).
    banned_pieces: tuple[str, ...] = ()
    chat_template: str = ""
    # A context limit the card imposes on top of the model's (0 = none).
    context_limit: int = 0
    reply_budget: int = 0
    extra: dict = field(default_factory=dict)


_RINNA_TEMPLATE = (
    "{%- for m in messages -%}"
    "{%- if not loop.first -%}SEP{%- endif -%}"
    "{{- 'システム: ' if m['role'] == 'assistant' else 'ユーザー: ' -}}"
    "CONTENT"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}SEPシステム: {% endif -%}"
)

RINNA_INSTRUCTION_TEMPLATE = _RINNA_TEMPLATE.replace("SEP", "<NL>").replace(
    "CONTENT", "{{- m['content'] | replace('\\n', '<NL>') -}}"
)
RINNA_BILINGUAL_TEMPLATE = _RINNA_TEMPLATE.replace("SEP", "{{ '\\n' }}").replace(
    "CONTENT", "{{- m['content'] -}}"
)

# dolly: persona lines (system messages) and history go in {instruction}, the last user message in
# {input}; real newlines are stored as the two characters backslash + n.
DOLLY_TEMPLATE = (
    "{%- set ns = namespace(persona='', history=[], last='') -%}"
    "{%- for m in messages -%}"
    "{%- set text = m['content'] | replace('\\n', '\\\\n') -%}"
    "{%- if m['role'] == 'system' -%}"
    "{%- for line in m['content'].split('\\n') if line.strip() -%}"
    "{%- set ns.persona = ns.persona ~ line ~ ' ' -%}"
    "{%- endfor -%}"
    "{%- elif loop.last and m['role'] == 'user' -%}"
    "{%- set ns.last = 'User:' ~ text -%}"
    "{%- else -%}"
    "{%- set ns.history = ns.history + [('User:' if m['role'] == 'user' else 'Assistant:') ~ text] -%}"
    "{%- endif -%}"
    "{%- endfor -%}"
    + DOLLY_INPUT_PROMPT.split("{instruction}")[0]
    + "{{ ns.persona }}{{ ns.history | join(' ') }}"
    + DOLLY_INPUT_PROMPT.split("{instruction}")[1].split("{input}")[0]
    + "{{ ns.last }}"
    + DOLLY_INPUT_PROMPT.split("{input}")[1]
)

BASE_TEMPLATE = "{%- for m in messages -%}{{ m['content'] }}{%- endfor -%}"

FAMILIES: dict[str, Family] = {
    RINNA_INSTRUCTION: Family(
        name=RINNA_INSTRUCTION,
        description="rinna japanese-gpt-neox-3.6b instruction (sft / sft-v2 / ppo)",
        sampling=Sampling(temperature=0.7, repetition_penalty=1.1, max_new_tokens=128),
        stop_strings=("<NL>ユーザー:", "<NL>システム:"),
        newline="<NL>",
        chat_template=RINNA_INSTRUCTION_TEMPLATE,
    ),
    RINNA_BILINGUAL: Family(
        name=RINNA_BILINGUAL,
        description="rinna bilingual-gpt-neox-4b instruction-sft",
        sampling=Sampling(temperature=1.0, top_p=0.85, max_new_tokens=512),
        stop_strings=("\nユーザー:", "\nシステム:"),
        chat_template=RINNA_BILINGUAL_TEMPLATE,
    ),
    DOLLY: Family(
        name=DOLLY,
        description="inu-ai dolly-japanese-gpt-1b ([SEP] instruction / input / response)",
        sampling=Sampling(temperature=0.7, max_new_tokens=DOLLY_REPLY_BUDGET),
        newline="\\n",
        strip_pieces=("[SEP]",),
        banned_pieces=("<unk>",),
        chat_template=DOLLY_TEMPLATE,
        context_limit=DOLLY_CONTEXT,
        reply_budget=DOLLY_REPLY_BUDGET,
    ),
    BASE: Family(
        name=BASE,
        description="base model: plain text continuation",
        sampling=Sampling(temperature=0.8, max_new_tokens=128),
        chat_template=BASE_TEMPLATE,
    ),
    # The card: prompt = bos + text, greedy (do_sample=False), max_new_tokens=160 (bytes: 40
    # characters), generation ends at the encoding of "\n".
    BYGPT: Family(
        name=BYGPT,
        description="byte-level multi-head model (tohoku-nlp bygpt-jp-multi-lm-head): plain text continuation",
        sampling=Sampling(temperature=0.0, max_new_tokens=160),
        stop_strings=("\n",),
        chat_template=BASE_TEMPLATE,
    ),
}


def _names_for(model_dir: Path, config: dict) -> str:
    names = [model_dir.resolve().name, str(config.get("_name_or_path", ""))]
    readme = model_dir / "README.md"
    if readme.is_file():
        head = readme.read_text(encoding="utf-8", errors="replace")[:4000]
        names += re.findall(r"(?:rinna|inu-ai)/[\w.\-]+", head)
    return " ".join(names).lower()


def detect_family(model_dir: Path, config: dict) -> str:
    """Guess the family from the folder name, config's ``_name_or_path`` and the card's links."""
    archs = config.get("architectures") or []
    return detect_family_from_text(_names_for(model_dir, config), archs if isinstance(archs, list) else [])


def detect_family_from_text(text: str, archs: list) -> str:
    """The family named by ``text`` (folder or repository names, lower case); ``archs`` from
    config.json when known (empty: not known yet)."""
    if "bygpt" in text or any("bygpt" in str(a).lower() for a in archs):
        return BYGPT
    if "dolly" in text and (not archs or "GPT2LMHeadModel" in archs):
        return DOLLY
    if "bilingual" in text and re.search(r"instruction|sft|ppo", text):
        return RINNA_BILINGUAL
    if re.search(r"instruction|sft|ppo", text):
        return RINNA_INSTRUCTION
    return BASE


def sampling_json(family: Family) -> str:
    return json.dumps(family.sampling.__dict__, sort_keys=True)
