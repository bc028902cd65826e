"""Hanashi's tokenizer test corpus: text written for this project, plus seeded random strings.

It covers what Japanese chat actually contains and where tokenizers tend to disagree: prose,
English, mixed scripts, runs of spaces/tabs/newlines, the ``<NL>`` and ``[SEP]`` markers,
full-width and half-width forms, emoji, and scripts a Japanese vocabulary lacks (byte fallback).
"""

from __future__ import annotations

import random

FIXED = [
    # Japanese prose
    "今日は朝から雨が降っていたので、駅まで歩くのをやめてバスに乗りました。",
    "話というアプリは、自分のパソコンの中だけで日本語の言語モデルと会話できます。",
    "猫が窓辺で丸くなって眠っている。外では子どもたちが鬼ごっこをしていた。",
    "東京から大阪までは新幹線でおよそ二時間半かかります。",
    "会議の資料は明日の午前十時までに共有フォルダへ入れてください。",
    "むかしむかし、ある山のふもとに、おじいさんとおばあさんが住んでいました。",
    "カタカナ語:コンピューター、ソフトウェア、インターネット、データベース。",
    "ひらがなだけのぶんしょうもためしてみましょう。",
    "「本当に?」と彼女は首をかしげた。『もちろん』と私は答えた。",
    "価格は1,980円(税込)です。送料は全国一律500円となります。",
    # English and mixed
    "The quick brown fox jumps over the lazy dog.",
    "Please summarize the following text in three sentences.",
    "GPUのVRAMが8GBあれば、4bit量子化した3.6Bモデルが動きます。",
    "Pythonで`print(\"こんにちは\")`と書くと挨拶が表示されます。",
    "メールアドレスは hanashi@example.jp、URLは https://example.jp/chat?q=話 です。",
    # whitespace
    "二つの  スペース と   三つのスペース",
    "タブ\tで\t\t区切った\t値",
    "改行\nのある\n\n文章です。\n",
    "  先頭と末尾に空白  ",
    " ",
    "\n",
    "行末の空白   \n次の行",
    # markers used by the model families
    "ユーザー: こんにちは<NL>システム: こんにちは!<NL>ユーザー: 元気?",
    "一行目<NL><NL>三行目",
    "指示:\\n要約してください\\n[SEP]\\n応答:\\n",
    "[SEP][CLS][MASK]</s><s>",
    # full-width / half-width forms
    "\uff21\uff22\uff23\uff41\uff42\uff43\uff11\uff12\uff13 と ABCabc123",
    "\uff71\uff72\uff73\uff74\uff75 と アイウエオ",  # half-width katakana
    "\uff01\uff1f\uff08\uff09\uff3b\uff3d\uff5b\uff5d\uff1a\uff1b と !?()[]{}:;",
    "\uff76\uff9e\uff77\uff9e \uff8a\uff9f\uff8b\uff9f と ガギ パピ",  # half-width voiced marks
    "全角スペース\u3000と 半角スペース",
    "①②③ ㈱ ㌔ ℃ № ¥",
    # emoji and symbols
    "楽しかった😊 また行こうね🎉👍",
    "家族👨‍👩‍👧‍👦 と国旗🇯🇵 と肌色👋🏽",
    "→←↑↓ ★☆ ♪♫ ※ 〒",
    # scripts outside a Japanese vocabulary (byte fallback)
    "Привет, как дела?",
    "สวัสดีครับ ยินดีต้อนรับ",
    "नमस्ते दुनिया",
    "안녕하세요 반갑습니다",
    "مرحبا بالعالم",
    "𠮷野家の𩸽定食",
    "Ελληνικά και Ἀθῆναι",
]

_ALPHABETS = [
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん",
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン",
    "日本語会話文章言葉時間今明昨朝昼夜山川海空雨雪花鳥風月人家駅道",
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "、。!?「」()・ー…",
    " \t\n",
]


def random_strings(count: int = 200, seed: int = 1234, pieces: list[str] | None = None) -> list[str]:
    """Seeded random strings: mixes of the alphabets, vocabulary pieces and random code points."""
    rng = random.Random(seed)
    usable = [p.replace("▁", " ") for p in (pieces or []) if p and not p.startswith("<0x")]
    out = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 12)):
            r = rng.random()
            if r < 0.45:
                alpha = rng.choice(_ALPHABETS)
                parts.append("".join(rng.choice(alpha) for _ in range(rng.randint(1, 6))))
            elif r < 0.8 and usable:
                parts.append(rng.choice(usable))
            elif r < 0.9:
                parts.append(rng.choice(["<NL>", "[SEP]", "  ", "\n\n", "\t"]))
            else:
                cp = rng.choice([rng.randint(0x20, 0x7E), rng.randint(0x3040, 0x30FF),
                                 rng.randint(0x4E00, 0x9FFF), rng.randint(0x0400, 0x04FF),
                                 rng.randint(0x1F300, 0x1F64F), rng.randint(0xAC00, 0xD7A3)])
                parts.append(chr(cp))
        out.append("".join(parts))
    return out


def parity_corpus(pieces: list[str] | None = None, n_random: int = 200, seed: int = 1234) -> list[str]:
    return FIXED + random_strings(n_random, seed, pieces)
