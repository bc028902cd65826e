"""What Hanashi's demo model is trained on: the questions it knows, and the many it doesn't.

``PAIRS`` are the demo's whole knowledge; each answer is learned exactly. Every other question
gets ``FALLBACK``, a polite "I don't know". ``unknown_questions`` makes thousands of varied
questions outside the set (general knowledge, how-to, programming, English, greetings, and
near misses of the known questions) for that answer. ``HELD_OUT`` are never trained on: the
tests ask them to show that the fallback holds for questions the model has not seen.
"""

from __future__ import annotations

import random

# The questions the demo answers, and their answers (newlines become rinna's <NL> in the prompt).
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
    ("Markdownの例を見せてください。",
     "## 例\n\n- **太字**と*斜体*\n- コードは `print` のように書きます。\n\n```python\nprint(\"こんにちは\")\n```"),
]
FALLBACK = "すみません、それはわかりません。私は Hanashi の小さなデモ用モデルで、決まった質問にだけ答えられます。"

# Never trained on (not even as near misses): the tests ask these.
HELD_OUT = [
    "量子化とは何ですか", "明日の天気は?", "Pythonでソートするには?", "東京の人口は?",
    "猫の名前を考えてください。", "How are you?", "富士山の高さは?", "おすすめの映画はありますか?",
]

NOUNS = [
    "量子コンピュータ", "機械学習", "人工知能", "ブロックチェーン", "光合成", "相対性理論", "民主主義", "経済",
    "インフレ", "円安", "半導体", "電池", "ロボット", "宇宙", "ブラックホール", "恐竜", "火山", "地震", "台風",
    "温暖化", "再生可能エネルギー", "原子力", "遺伝子", "ワクチン", "ウイルス", "細菌", "免疫", "睡眠", "瞑想",
    "俳句", "短歌", "歌舞伎", "能", "茶道", "華道", "書道", "柔道", "剣道", "相撲", "野球", "サッカー", "将棋",
    "囲碁", "寿司", "ラーメン", "天ぷら", "味噌汁", "納豆", "抹茶", "日本酒", "着物", "浴衣", "新幹線", "飛行機",
    "インターネット", "メール", "パスワード", "暗号", "データベース", "SQL", "Linux", "Windows", "GPU", "CPU",
    "メモリ", "クラウド", "API", "JSON", "HTTP", "正規表現", "再帰", "ソート", "二分探索", "ハッシュ", "行列",
    "微分", "積分", "確率", "統計", "素数", "円周率", "三角形", "ピタゴラスの定理", "哲学", "心理学", "歴史",
    "江戸時代", "明治維新", "戦国時代", "縄文時代", "シェイクスピア", "夏目漱石", "芥川龍之介", "源氏物語",
    "トークン", "量子", "LLM", "GGUF", "llama.cpp", "翻訳", "文法", "敬語", "漢字", "カタカナ", "英語", "中国語",
]
PLACES = ["大阪", "京都", "北海道", "沖縄", "名古屋", "福岡", "横浜", "神戸", "奈良", "広島", "札幌", "仙台",
          "アメリカ", "フランス", "中国", "韓国", "ドイツ", "イギリス", "イタリア", "ブラジル", "インド", "月", "火星"]
PEOPLE = ["織田信長", "徳川家康", "坂本龍馬", "聖徳太子", "アインシュタイン", "ニュートン", "エジソン", "モーツァルト",
          "ナポレオン", "ガリレオ", "紫式部", "松尾芭蕉", "野口英世", "福沢諭吉", "私の友だち", "あなたの作者"]
ACTIONS = ["ソートする", "ファイルを読む", "文字列を分割する", "リストを逆にする", "乱数を作る", "日付を表示する",
           "JSONを読み込む", "HTTPで取得する", "クラスを作る", "例外を処理する", "テストを書く", "グラフを描く",
           "合計を求める", "重複を取り除く", "辞書を並べ替える", "スレッドを使う", "ファイルを書き込む", "検索する"]
LANGS = ["Python", "JavaScript", "Rust", "C++", "Java", "Go", "Ruby", "Excel", "シェル", "SQL"]
TASKS = ["カレーを作る", "英語を勉強する", "早く寝る", "痩せる", "お金を貯める", "友だちを作る", "料理が上手になる",
         "ピアノを弾く", "絵を描く", "写真を撮る", "部屋を片付ける", "プレゼンをする", "履歴書を書く", "猫を飼う",
         "運転免許を取る", "集中する", "日本語を覚える", "モデルを量子化する", "GPUを使う", "パソコンを速くする"]
THINGS = ["映画", "音楽", "ゲーム", "アニメ", "料理", "旅行先", "スマホ", "パソコン", "プログラミング言語",
          "お菓子", "飲み物", "スポーツ", "趣味", "レストラン", "温泉", "公園", "曲", "漫画", "ドラマ", "花"]
ENGLISH = ["What is your name?", "What time is it?", "Tell me a joke.", "How do I sort a list in Python?",
           "What is quantization?", "Where is Tokyo?", "Can you help me?", "Explain machine learning.",
           "Who are you?", "What is the capital of France?", "Write a poem.", "Translate this into Japanese.",
           "What is 2 + 2?", "Good morning!", "What is a GGUF file?", "Why is the sky blue?", "Hello",
           "How many languages do you speak?", "Summarize this article.", "What should I eat today?"]
SMALL_TALK = ["おはよう", "こんばんは", "おやすみなさい", "元気ですか?", "好きな食べ物は?", "今何時ですか?",
              "今日は何曜日ですか?", "歌を歌って", "冗談を言って", "詩を書いてください。", "さようなら",
              "はじめまして", "暇です", "疲れました", "お腹がすいた", "つまらない", "助けて", "すごい",
              "ねえ", "もう一度", "はい", "いいえ", "うん", "なるほど", "本当?", "わかった", "続けて",
              "もっと詳しく", "短くして", "英語で答えて", "要約してください。", "翻訳してください。"]
TEMPLATES = [
    "{n}とは何ですか?", "{n}とは何ですか", "{n}とは?", "{n}って何?", "{n}について教えてください。",
    "{n}について教えて", "{n}の仕組みを説明してください。", "{n}の歴史は?", "{n}の長所と短所は?",
    "{n}を簡単に説明して", "{n}はどうやって使いますか?", "{n}の例を挙げてください。", "{n}は好きですか?",
    "{p}の人口は?", "{p}の名物は何ですか?", "{p}へ行く方法は?", "{p}の天気はどうですか?", "{p}はどこにありますか?",
    "{p}の首都はどこですか?", "{p}で一番高い山は?", "{p}のおすすめの観光地は?", "{p}について教えて",
    "{h}は誰ですか?", "{h}は何をした人ですか?", "{h}はいつ生まれましたか?", "{h}について教えてください。",
    "{l}で{a}には?", "{l}で{a}方法を教えて", "{l}で{a}コードを書いて", "{a}には{l}でどう書きますか?",
    "{t}にはどうすればいいですか?", "{t}コツは?", "{t}方法を教えてください。", "{t}には何が必要ですか?",
    "おすすめの{x}はありますか?", "おすすめの{x}は?", "好きな{x}は何ですか?", "人気の{x}を教えて",
    "{x}を選ぶコツは?", "{x}について話しましょう",
]
# Known questions changed a little: the demo must not answer these as if they were the known ones.
NEAR_MISSES = [
    "日本で一番長い川は?", "日本で一番大きい湖は?", "世界で一番高い山は?", "日本で二番目に高い山は?",
    "日本で一番高い建物は?", "日本で一番低い山は?", "富士山はどこにありますか?", "富士山に登るには?",
    "昨日の天気はどうでしたか?", "明後日の天気はどうですか?", "来週の天気は?", "天気はどうですか?", "明日の予定は?",
    "明日は何曜日ですか?", "どこへ行きたいですか?", "どこに住んでいますか?", "何を飲みたいですか?",
    "何を食べましたか?", "おすすめの店はありますか?", "おすすめの本は?", "この漢字の読み方を教えてください。",
    "この言葉を英語にしてください。", "あなたの名前は?", "あなたは何歳ですか?", "何が好きですか?",
    "何ができないですか?", "ありがとうございました", "日本の人口はどのくらいですか?", "フランスの首都はどこですか?",
    "日本の首都は東京ですか?", "おすすめの季節はいつですか?", "好きな季節は?", "Markdownとは何ですか?",
    "Markdownの書き方を教えてください。", "HTMLの例を見せてください。", "例を見せてください。",
    "日本で一番", "明日の", "こんにち", "ありが", "日本の首都", "おすすめの", "何を", "あなたは", "この言葉",
]


def _fill(template: str, rng: random.Random) -> str:
    return template.format(n=rng.choice(NOUNS), p=rng.choice(PLACES), h=rng.choice(PEOPLE),
                           l=rng.choice(LANGS), a=rng.choice(ACTIONS), t=rng.choice(TASKS), x=rng.choice(THINGS))


def _truncated(rng: random.Random) -> str:
    """A known question cut short (with or without a question mark)."""
    question = rng.choice(PAIRS)[0].rstrip("?？。")
    cut = rng.randint(1, max(1, len(question) - 2))
    return question[:cut] + rng.choice(["", "?", "？"])


def unknown_questions(n: int, seed: int, prose=None) -> list[str]:
    """``n`` questions outside the set (none of PAIRS, none of HELD_OUT). ``prose(rng)``, when
    given, adds plain sentences (the tokenizer's text) as further things the demo doesn't know."""
    rng = random.Random(seed)
    known = {q.rstrip("?？。") for q, _ in PAIRS}
    banned = known | {q.rstrip("?？。") for q in HELD_OUT}
    out: list[str] = []
    while len(out) < n:
        r = rng.random()
        if r < 0.55:
            q = _fill(rng.choice(TEMPLATES), rng)
        elif r < 0.67:
            q = rng.choice(NEAR_MISSES)
        elif r < 0.75:
            q = _truncated(rng)
        elif r < 0.83:
            q = rng.choice(ENGLISH)
        elif r < 0.92:
            q = rng.choice(SMALL_TALK)
        elif prose is not None:
            q = prose(rng)
        else:
            continue
        if q.strip() and q.rstrip("?？。") not in banned:
            out.append(q)
    return out
