"""Generated Japanese (and some English) text for training tiny tokenizers and models.

Sentences come from templates and word lists written for Hanashi, so the text is plentiful,
varied enough for a tokenizer to learn real pieces, and owned by the project.
"""

from __future__ import annotations

import random

PEOPLE = ["私", "僕", "彼女", "彼", "先生", "友だち", "母", "父", "店員さん", "猫", "子どもたち", "みんな"]
PLACES = ["駅", "学校", "図書館", "公園", "海", "山", "京都", "東京", "大阪", "北海道", "家", "会社", "川のそば"]
THINGS = ["本", "お茶", "ご飯", "手紙", "写真", "音楽", "傘", "自転車", "パン", "りんご", "ケーキ", "地図", "日記"]
TIMES = ["今日", "昨日", "明日", "毎朝", "夜", "週末", "昼休み", "春", "夏", "秋", "冬", "三時ごろ"]
ADJ = ["大きな", "小さな", "新しい", "古い", "静かな", "にぎやかな", "美しい", "おいしい", "やさしい", "暖かい"]
VERBS = [("読みました", "を"), ("飲みました", "を"), ("食べました", "を"), ("書きました", "を"),
         ("撮りました", "を"), ("聴きました", "を"), ("買いました", "を"), ("見つけました", "を")]
FEEL = ["とても楽しかったです。", "少し疲れました。", "また行きたいです。", "うれしかったです。",
        "びっくりしました。", "なつかしい気持ちになりました。"]
QUESTIONS = ["どこへ行きましたか?", "何を食べたいですか?", "明日の天気はどうですか?",
             "おすすめの本はありますか?", "日本で一番高い山は?", "この言葉の意味を教えてください。"]
# ANSWERS[i] answers QUESTIONS[i].
ANSWERS = ["公園へ散歩に行きました。", "おいしいお茶が飲みたいです。", "晴れのち曇りの予報です。",
           "『星の旅』という本がおすすめです。", "富士山です。", "「やさしい」という意味です。"]
ENGLISH = ["I went to the station this morning.", "The cat is sleeping by the window.",
           "Please tell me a short story.", "Tokyo is a big city.", "Thank you very much."]


def sentence(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.45:
        verb, particle = rng.choice(VERBS)
        return (f"{rng.choice(TIMES)}、{rng.choice(PEOPLE)}は{rng.choice(PLACES)}で"
                f"{rng.choice(ADJ)}{rng.choice(THINGS)}{particle}{verb}。")
    if r < 0.65:
        return f"{rng.choice(PLACES)}へ行って、{rng.choice(FEEL)}"
    if r < 0.8:
        return rng.choice(QUESTIONS)
    if r < 0.92:
        return rng.choice(ANSWERS)
    return rng.choice(ENGLISH)


def paragraphs(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return ["".join(sentence(rng) for _ in range(rng.randint(2, 6))) for _ in range(n)]


def instruction_dialogues(n: int, seed: int = 0) -> list[str]:
    """rinna-instruction-style exchanges, so a tiny model learns the turn markers."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        i = rng.randrange(len(QUESTIONS))
        out.append(f"ユーザー: {QUESTIONS[i]}<NL>システム: {ANSWERS[i]}</s>")
    return out


def training_lines(n: int = 3000, seed: int = 0) -> list[str]:
    """Lines for training a tokenizer: prose, dialogue, whitespace runs and digits."""
    rng = random.Random(seed)
    lines = paragraphs(n, seed) + instruction_dialogues(n // 4, seed + 1)
    for _ in range(n // 10):
        lines.append(" " * rng.randint(1, 4) + sentence(rng) + "\t" * rng.randint(0, 2))
        lines.append(f"{rng.randint(0, 99999)}円 {rng.randint(1, 12)}月{rng.randint(1, 28)}日")
    return lines
