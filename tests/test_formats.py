"""Tests for Hanashi's prompt formats: persona parsing, card-exact prompts, trimming, display."""

from __future__ import annotations

import dataclasses

import jinja2
import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.formats import (
    ChatFormat,
    MessageTooLongError,
    Turn,
    get_format,
    parse_persona,
)
from quantize import families

U, A = "user", "assistant"

# A persona written the way a user types it, and a conversation with newlines inside messages.
PERSONA_TEXT = (
    "User: あなたは町の図書館の司書です。\n本について丁寧に答えてください。\n"
    "Assistant: かしこまりました。"
)
PERSONA = [
    Turn(U, "あなたは町の図書館の司書です。\n本について丁寧に答えてください。"),
    Turn(A, "かしこまりました。"),
]
CHAT = [
    Turn(U, "おすすめの本はありますか?"),
    Turn(A, "旅の本はいかがでしょう。\n短い章が多くて読みやすいです。"),
    Turn(U, "図書館は何時まで\n開いていますか?"),
    Turn(A, "夜七時までです。"),
    Turn(U, "ありがとう。\n明日行きます。"),
]

# (persona, turns) pairs used by the golden and consistency tests.
CONVERSATIONS = [
    ([], [Turn(U, "こんにちは。")]),
    ([], CHAT),
    (PERSONA, CHAT),
    (PERSONA, CHAT[:1]),
    ([Turn(U, "猫の口調で話してください。")], CHAT[2:]),
    ([Turn(U, "一行目\n二行目"), Turn(A, "はい\nわかりました"), Turn(U, "もう一つ")], CHAT[:3]),
]


# ---------------------------------------------------------------- persona parsing


PERSONA_CASES = [
    (PERSONA_TEXT, PERSONA),
    # Japanese prefixes; at most one space after the colon belongs to the prefix.
    (
        "ユーザー:猫になってください。\nシステム: にゃー。\nUser:  two spaces",
        [Turn(U, "猫になってください。"), Turn(A, "にゃー。"), Turn(U, " two spaces")],
    ),
    # The full-width colon a Japanese input method types.
    ("ユーザー：こんにちは\nシステム：どうも", [Turn(U, "こんにちは"), Turn(A, "どうも")]),
    # No prefixed line: one user turn, outer whitespace removed.
    (
        "\nあなたは親切な案内係です。\n短く答えてください。\n\n",
        [Turn(U, "あなたは親切な案内係です。\n短く答えてください。")],
    ),
    ("", []),
    ("   ", []),
    (" \n\t\n", []),
    # Blank lines at a turn's edges are dropped, inner ones kept.
    ("User:\n最初の行\n\n次の行\n\nAssistant: はい\n\n", [Turn(U, "最初の行\n\n次の行"), Turn(A, "はい")]),
    # Text before the first prefixed line is a user turn of its own.
    ("前置きの文。\nAssistant: 了解です。", [Turn(U, "前置きの文。"), Turn(A, "了解です。")]),
    ("User: 一\r\n二\r\nAssistant: 三", [Turn(U, "一\n二"), Turn(A, "三")]),
    # A prefix counts only at the start of a line.
    ("説明 User: 途中", [Turn(U, "説明 User: 途中")]),
]


@pytest.mark.parametrize("text,turns", PERSONA_CASES)
def test_parse_persona(text, turns):
    assert parse_persona(text) == turns


def test_turn_is_frozen():
    turn = Turn(U, "こんにちは")
    with pytest.raises(dataclasses.FrozenInstanceError):
        turn.content = "さようなら"  # type: ignore[misc]


# ---------------------------------------------------------------- golden prompts, built as the cards do


def rinna_card_prompt(turns, sep):
    """The rinna cards' construction: speaker ': ' text, joined by sep, ending with sep + 'システム: '."""
    uttrs = [
        {"speaker": "ユーザー" if t.role == U else "システム", "text": t.content.replace("\n", sep)}
        for t in turns
    ]
    prompt = sep.join(f"{u['speaker']}: {u['text']}" for u in uttrs)
    return prompt + sep + "システム: "


def dolly_card_prompt(persona, turns):
    """dolly's card: role_instruction lines, history with escaped newlines, new message in {input}."""
    role_instruction = [
        ("User:" if t.role == U else "Assistant:") + t.content.replace("\n", "\\n") for t in persona
    ]
    conversation_history = []
    for t in turns[:-1]:
        name = "User" if t.role == U else "Assistant"
        conversation_history.append(f"{name}:{t.content}".replace("\n", "\\n"))
    new_conversation = turns[-1].content
    instruction = "".join([f"{text} " for text in role_instruction])
    instruction += " ".join(conversation_history)
    input_text = f"User:{new_conversation}"
    # The card keeps history with escaped newlines; the new message is escaped the same way when
    # it is stored, so Hanashi escapes it in the prompt too.
    input_text = input_text.replace("\n", "\\n")
    return families.DOLLY_INPUT_PROMPT.format(instruction=instruction, input=input_text)


@pytest.mark.parametrize("persona,turns", CONVERSATIONS)
def test_rinna_instruction_golden(persona, turns):
    fmt = get_format("rinna-instruction")
    assert fmt.render(persona, turns) == rinna_card_prompt([*persona, *turns], "<NL>")


def test_rinna_instruction_golden_literal():
    fmt = get_format("rinna-instruction")
    got = fmt.render([Turn(U, "丁寧に\n答えて")], [Turn(U, "空は青い?"), Turn(A, "はい。\n青いです。"), Turn(U, "海は?")])
    assert got == (
        "ユーザー: 丁寧に<NL>答えて<NL>ユーザー: 空は青い?<NL>システム: はい。<NL>青いです。"
        "<NL>ユーザー: 海は?<NL>システム: "
    )
    assert "\n" not in got


@pytest.mark.parametrize("persona,turns", CONVERSATIONS)
def test_rinna_bilingual_golden(persona, turns):
    fmt = get_format("rinna-bilingual")
    assert fmt.render(persona, turns) == rinna_card_prompt([*persona, *turns], "\n")


def test_rinna_bilingual_golden_literal():
    fmt = get_format("rinna-bilingual")
    got = fmt.render([], [Turn(U, "Hello, help me learn Japanese."), Turn(A, "Sure."), Turn(U, "犬は\n英語で?")])
    assert got == (
        "ユーザー: Hello, help me learn Japanese.\nシステム: Sure.\nユーザー: 犬は\n英語で?\nシステム: "
    )


@pytest.mark.parametrize("persona,turns", CONVERSATIONS)
def test_dolly_golden(persona, turns):
    fmt = get_format("dolly")
    assert fmt.render(persona, turns) == dolly_card_prompt(persona, turns)


def test_dolly_golden_literal():
    fmt = get_format("dolly")
    persona = [Turn(U, "きみは猫なのだ。"), Turn(A, "了解なのだ。")]
    turns = [Turn(U, "好きな\n食べ物は?"), Turn(A, "魚なのだ。"), Turn(U, "色は?")]
    got = fmt.render(persona, turns)
    expected = (
        r"\n以下は、タスクを説明する指示と、文脈のある入力の組み合わせです。要求を適切に満たす応答を書きなさい。"
        r"\n[SEP]\n指示:\nUser:きみは猫なのだ。 Assistant:了解なのだ。 User:好きな\n食べ物は? Assistant:魚なのだ。"
        r"\n[SEP]\n入力:\nUser:色は?\n[SEP]\n応答:\n"
    )
    assert got == expected
    assert "\n" not in got  # every newline is the two characters backslash + n


@pytest.mark.parametrize("family", ["base", "completion"])
@pytest.mark.parametrize("persona,turns", CONVERSATIONS)
def test_base_golden(family, persona, turns):
    fmt = get_format(family)
    expected = ""
    for t in [*persona, *turns]:
        expected += t.content
    assert fmt.render(persona, turns) == expected


# ---------------------------------------------------------------- agreement with families.py templates


def _environments():
    # Plain jinja2, and the settings chat-template runners use (transformers, llama-cpp-python).
    return [
        ImmutableSandboxedEnvironment(),
        ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True),
    ]


def _template_messages(family, persona, turns):
    msgs = [{"role": t.role, "content": t.content} for t in turns]
    if family == families.DOLLY:
        lines = [("User:" if t.role == U else "Assistant:") + t.content.replace("\n", "\\n") for t in persona]
        system = [{"role": "system", "content": "\n".join(lines)}] if lines else []
        return system + msgs
    if family == families.BASE:
        system = [{"role": "system", "content": "".join(t.content for t in persona)}] if persona else []
        return system + msgs
    return [{"role": t.role, "content": t.content} for t in persona] + msgs


@pytest.mark.parametrize("family", families.FAMILY_NAMES)
@pytest.mark.parametrize("persona,turns", CONVERSATIONS)
def test_render_matches_family_chat_template(family, persona, turns):
    fmt = get_format(family)
    messages = _template_messages(family, persona, turns)
    for env in _environments():
        template = env.from_string(families.FAMILIES[family].chat_template)
        rendered = template.render(messages=messages, add_generation_prompt=True, bos_token="<s>", eos_token="</s>")
        assert fmt.render(persona, turns) == rendered


@pytest.mark.parametrize("family", [families.RINNA_INSTRUCTION, families.RINNA_BILINGUAL, families.BASE])
@pytest.mark.parametrize("persona,turns", CONVERSATIONS)
def test_template_family_on_embedded_template_agrees(family, persona, turns):
    # A converted file opened through its embedded template gives the card prompt too.
    via_template = get_format("template", families.FAMILIES[family].chat_template)
    assert via_template.render(persona, turns) == get_format(family).render(persona, turns)


# ---------------------------------------------------------------- format attributes


def test_family_attributes():
    ri = get_format("rinna-instruction")
    assert ri.family == "rinna-instruction"
    assert ri.stop_strings == families.FAMILIES["rinna-instruction"].stop_strings
    assert ri.replacements == (("<NL>", "\n"),)
    assert (ri.completion, ri.reply_budget, ri.context_limit) == (False, None, None)

    rb = get_format("rinna-bilingual")
    assert rb.stop_strings == ("\nユーザー:", "\nシステム:")
    assert rb.replacements == ()

    dolly = get_format("dolly")
    assert dolly.reply_budget == families.DOLLY_REPLY_BUDGET == 100
    assert dolly.context_limit == families.DOLLY_CONTEXT == 1024
    assert set(dolly.replacements) == {("[SEP]", ""), ("\\n", "\n")}
    assert dolly.completion is False

    for name in ("base", "completion"):
        fmt = get_format(name)
        assert isinstance(fmt, ChatFormat)
        assert (fmt.family, fmt.completion, fmt.stop_strings, fmt.replacements) == (name, True, (), ())


def test_unknown_family_names_the_known_ones():
    with pytest.raises(ValueError) as info:
        get_format("gpt-9")
    for name in ("rinna-instruction", "rinna-bilingual", "dolly", "base", "template", "completion"):
        assert name in str(info.value)


# ---------------------------------------------------------------- trimming to the context


def test_fit_keeps_everything_when_it_fits():
    fmt = get_format("rinna-bilingual")
    n = len(fmt.render(PERSONA, CHAT))
    assert fmt.fit(PERSONA, CHAT, len, n_ctx=n + 10, reply_budget=10) == CHAT


def test_fit_drops_oldest_pairs_by_hand_count():
    fmt = get_format("base")
    persona = [Turn(U, "P")]
    turns = [Turn(U, "aa"), Turn(A, "bb"), Turn(U, "cc"), Turn(A, "dd"), Turn(U, "ee")]
    # whole prompt "Paabbccddee" = 11 chars; without the first pair 7; only the message 3.
    assert fmt.fit(persona, turns, len, n_ctx=13, reply_budget=2) == turns
    assert fmt.fit(persona, turns, len, n_ctx=12, reply_budget=2) == turns[2:]
    assert fmt.fit(persona, turns, len, n_ctx=9, reply_budget=2) == turns[2:]
    assert fmt.fit(persona, turns, len, n_ctx=8, reply_budget=2) == turns[4:]
    assert fmt.fit(persona, turns, len, n_ctx=5, reply_budget=2) == turns[4:]
    with pytest.raises(MessageTooLongError):
        fmt.fit(persona, turns, len, n_ctx=4, reply_budget=2)


@pytest.mark.parametrize("family", ["rinna-instruction", "rinna-bilingual", "dolly"])
def test_fit_drops_exactly_the_oldest_pairs(family):
    fmt = get_format(family)
    size = lambda persona, turns: len(fmt.render(persona, turns).encode())  # noqa: E731
    count = lambda text: len(text.encode())  # noqa: E731
    budget = 7
    # dolly always keeps the card's 100 tokens for the reply, whatever the caller asks for.
    reserved = families.DOLLY_REPLY_BUDGET if family == "dolly" else budget
    for keep_from in (0, 2, 4):
        # The context is exactly big enough for CHAT[keep_from:] after the persona.
        n_ctx = size(PERSONA, CHAT[keep_from:]) + reserved
        assert n_ctx <= 1024
        kept = fmt.fit(PERSONA, CHAT, count, n_ctx=n_ctx, reply_budget=budget)
        assert kept == CHAT[keep_from:]
        assert kept[-1] == CHAT[-1]
        # One token less and the next-oldest pair goes too (or the message is too long).
        if keep_from < 4:
            assert fmt.fit(PERSONA, CHAT, count, n_ctx=n_ctx - 1, reply_budget=budget) == CHAT[keep_from + 2:]
        else:
            with pytest.raises(MessageTooLongError):
                fmt.fit(PERSONA, CHAT, count, n_ctx=n_ctx - 1, reply_budget=budget)


def test_fit_never_drops_persona():
    fmt = get_format("rinna-instruction")
    n_ctx = len(fmt.render(PERSONA, CHAT[4:])) + 1
    kept = fmt.fit(PERSONA, CHAT, len, n_ctx=n_ctx, reply_budget=1)
    assert kept == CHAT[4:]
    assert fmt.render(PERSONA, kept).startswith("ユーザー: あなたは町の図書館の司書です。<NL>")


def test_fit_greeting_before_first_user_turn_is_its_own_exchange():
    fmt = get_format("base")
    turns = [Turn(A, "g"), Turn(U, "uu"), Turn(A, "aa"), Turn(U, "m")]
    assert fmt.fit([], turns, len, n_ctx=6, reply_budget=0) == turns
    assert fmt.fit([], turns, len, n_ctx=5, reply_budget=0) == turns[1:]
    assert fmt.fit([], turns, len, n_ctx=4, reply_budget=0) == turns[3:]


def test_fit_unanswered_user_turn_goes_with_its_exchange():
    fmt = get_format("base")
    turns = [Turn(U, "a"), Turn(U, "bb"), Turn(A, "cc"), Turn(U, "d")]
    assert fmt.fit([], turns, len, n_ctx=5, reply_budget=0) == turns[1:]
    assert fmt.fit([], turns, len, n_ctx=4, reply_budget=0) == turns[3:]


def test_dolly_uses_card_context_and_reply_budget():
    fmt = get_format("dolly")
    long_turns = []
    for i in range(12):
        long_turns += [Turn(U, f"質問{i}です。" * 6), Turn(A, f"答え{i}です。" * 6)]
    long_turns.append(Turn(U, "最後の質問です。"))
    count = lambda text: len(text.encode())  # noqa: E731
    prompts = []

    def counting(text):
        prompts.append(text)
        return count(text)

    # A large n_ctx and a different reply budget are overridden by the card's 1024 / 100.
    kept = fmt.fit([], long_turns, counting, n_ctx=100_000, reply_budget=5)
    assert count(fmt.render([], kept)) + 100 <= 1024
    dropped = len(long_turns) - len(kept)
    assert dropped % 2 == 0 and dropped > 0
    assert kept == long_turns[dropped:]
    # Keeping one more pair would not have fit.
    assert count(fmt.render([], long_turns[dropped - 2:])) + 100 > 1024
    # Counted in linear time: each turn kept (and those of the pair that did not fit) once, plus a
    # few whole prompts — never the whole history, which cannot fit.
    assert len(prompts) <= len(kept) + 2 + 6
    assert fmt.render([], long_turns) not in prompts
    # A smaller model context still wins over the card's 1024.
    small = fmt.fit([], long_turns, count, n_ctx=700, reply_budget=5)
    assert count(fmt.render([], small)) + 100 <= 700
    assert len(small) < len(kept)


def test_message_too_long_error_says_what_it_needs():
    fmt = get_format("rinna-bilingual")
    message = [Turn(U, "長い" * 50)]
    prompt_len = len(fmt.render(PERSONA, message))
    with pytest.raises(MessageTooLongError) as info:
        fmt.fit(PERSONA, CHAT[:4] + message, len, n_ctx=prompt_len + 9, reply_budget=10)
    err = info.value
    assert isinstance(err, ValueError)
    assert (err.needed, err.context, err.reply_budget) == (prompt_len + 10, prompt_len + 9, 10)
    text = str(err)
    assert str(prompt_len + 10) in text and str(prompt_len + 9) in text
    assert "Shorten" in text


def test_dolly_too_long_message_reports_card_limits():
    fmt = get_format("dolly")
    with pytest.raises(MessageTooLongError) as info:
        fmt.fit([], [Turn(U, "あ" * 400)], lambda t: len(t.encode()), n_ctx=4096, reply_budget=1)
    assert info.value.context == 1024
    assert info.value.reply_budget == 100


# ---------------------------------------------------------------- display


DISPLAY_CASES = [
    ("rinna-instruction", "はい。<NL>二行目です。<NL>ユーザー: 次の質問", "はい。\n二行目です。"),
    ("rinna-instruction", "短い答え。", "短い答え。"),
    ("rinna-bilingual", "答えです。\n続きです。\nユーザー: 質問", "答えです。\n続きです。"),
    # dolly, as its card cleans output: [SEP] removed, \\n unescaped, text after the last 応答:.
    ("dolly", "富士山です。\\n高さは三七七六メートル。[SEP]", "富士山です。\n高さは三七七六メートル。"),
    ("dolly", "前置き[SEP]\\n応答:\\n 本当の答え。 ", "本当の答え。"),
    ("dolly", "一つ目\\n応答:\\n二つ目\\n応答:\\n三つ目", "三つ目"),
    # A base model's continuation is shown exactly as generated.
    ("base", " 続きの文章。\n", " 続きの文章。\n"),
    ("completion", "\n次の段落", "\n次の段落"),
]


@pytest.mark.parametrize("family,raw,shown", DISPLAY_CASES)
def test_display(family, raw, shown):
    assert get_format(family).display(raw) == shown


# ---------------------------------------------------------------- model-file templates

CHATML_LIKE = (
    "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{{ eos_token }}\n"
    "{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}"
)


def test_template_single_persona_turn_is_a_system_message():
    fmt = get_format("template", CHATML_LIKE, bos_token="<s>", eos_token="</s>")
    got = fmt.render([Turn(U, "丁寧に答えて。")], [Turn(U, "やあ")])
    assert got == "<s><|system|>丁寧に答えて。</s>\n<|user|>やあ</s>\n<|assistant|>"
    assert fmt.family == "template"
    assert fmt.stop_strings == ("</s>",)
    assert fmt.completion is False


def test_template_scripted_persona_turns_come_first():
    fmt = get_format("template", CHATML_LIKE)
    got = fmt.render(PERSONA[1:] + PERSONA[:1], [Turn(U, "やあ")])
    assert got == (
        "<|assistant|>かしこまりました。\n<|user|>あなたは町の図書館の司書です。\n本について丁寧に答えてください。\n"
        "<|user|>やあ\n<|assistant|>"
    )
    assert fmt.stop_strings == ()


def test_template_without_system_role_gets_persona_as_user_message():
    strict = (
        "{% for m in messages %}{% if m['role'] == 'system' %}"
        "{{ raise_exception('System role not supported') }}{% endif %}"
        "[{{ m['role'] }}]{{ m['content'] }}{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}"
    )
    fmt = get_format("template", strict)
    assert fmt.render([Turn(U, "短く。")], [Turn(U, "こんにちは")]) == "[user]短く。[user]こんにちは[assistant]"


def test_template_errors_become_value_errors():
    failing = "{{ raise_exception('roles must alternate') }}"
    with pytest.raises(ValueError, match="roles must alternate"):
        get_format("template", failing).render([], [Turn(U, "こんにちは")])
    with pytest.raises(ValueError, match="not valid Jinja"):
        get_format("template", "{% for m in messages %}")
    with pytest.raises(ValueError):
        get_format("template", None)


def test_template_is_sandboxed():
    fmt = get_format("template", "{{ messages.append(1) }}")
    with pytest.raises(ValueError):
        fmt.render([], [Turn(U, "x")])
    assert issubclass(jinja2.exceptions.SecurityError, jinja2.TemplateError)
