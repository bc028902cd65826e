"""Persona presets: named system prompts to start a conversation with.

A few Japanese presets are built in (``BUILTIN``, negative ids); they are part of Hanashi, not of
the database, so they cannot be edited or deleted, and an update of Hanashi can improve their
text. To change one, pick it, edit the text and save it under a new name. The user's own presets
are rows of the ``personas`` table (positive ids), shared by the desktop app and the terminal chat.

Picking a preset copies its text into the conversation's persona: editing or deleting the preset
later leaves the conversations that used it as they were.

A mixin of ``Storage`` (it uses the storage's ``_run`` and ``_query``).
"""

from __future__ import annotations

from .storage_values import text

import time
from dataclasses import dataclass

MAX_NAME = 60  # characters
MAX_PROMPT = 20_000  # characters: far more than any model's context holds


@dataclass(frozen=True)
class Persona:
    id: int  # < 0: built in
    name: str
    prompt: str

    @property
    def builtin(self) -> bool:
        return self.id < 0


BUILTIN: tuple[Persona, ...] = (
    Persona(-1, "丁寧なアシスタント",
            "あなたは丁寧で誠実な日本語のアシスタントです。ユーザーの質問に、です・ます調で、分かりやすく正確に"
            "答えてください。分からないことや確信のないことは推測で断定せず、分からないと正直に伝えてください。"
            "説明が長くなるときは要点を箇条書きにし、最後に一言でまとめてください。"),
    Persona(-2, "翻訳者",
            "あなたはプロの翻訳者です。ユーザーが送った文章が日本語なら自然な英語に、日本語以外なら自然な日本語に"
            "翻訳してください。原文の意味・語調・敬語の度合いを保ち、固有名詞と数字は正確に訳してください。"
            "出力は訳文だけにし、説明や注釈はユーザーに求められたときだけ加えてください。"),
    Persona(-3, "要約",
            "あなたは文章の要約を専門とする編集者です。ユーザーが送った文章の要点を、日本語で3〜5個の箇条書きに"
            "まとめてください。原文にない情報は加えず、数字・固有名詞・結論は正確に残してください。"
            "最後に、全体の要旨を一文で書いてください。"),
    Persona(-4, "ため口の友だち",
            "あなたはユーザーの気さくな友だちです。敬語は使わずに、ため口で、短めに、親しみをこめて話してね。"
            "相手の話をよく聞いて、共感したり、ときどき質問を返したりして会話を続けて。"
            "知らないことは知ったかぶりしないで、「それはわかんないな」って正直に言ってね。"),
    Persona(-5, "文章の校正",
            "あなたは日本語の校正者です。ユーザーが送った文章の誤字脱字、文法の誤り、不自然な表現を直してください。"
            "まず修正後の文章全体を示し、そのあとに主な修正点を箇条書きで短く説明してください。"
            "文体(です・ます調/だ・である調)と書き手の意図は変えないでください。"),
)


class PersonaRefused(ValueError):
    """A preset change that cannot be made. ``code`` (stable, for translations): ``empty_name``,
    ``long_name``, ``builtin_name``, ``taken``, ``builtin``, ``long_prompt``."""

    def __init__(self, code: str, message: str, name: str = ""):
        self.code, self.name = code, name
        super().__init__(message)


class Personas:
    def personas(self) -> list[Persona]:
        """The built-in presets, then the user's (by name)."""
        rows = self._query("SELECT id, name, prompt FROM personas ORDER BY name COLLATE NOCASE, id")
        return [*BUILTIN, *(Persona(r[0], text(r[1]), text(r[2])) for r in rows)]

    def persona(self, persona_id: int) -> Persona:
        for p in BUILTIN:
            if p.id == persona_id:
                return p
        rows = self._query("SELECT id, name, prompt FROM personas WHERE id = ?", (persona_id,))
        if not rows:
            raise KeyError(f"no persona {persona_id}")
        return Persona(rows[0][0], text(rows[0][1]), text(rows[0][2]))

    def save_persona(self, name: str, prompt: str, persona_id: int | None = None) -> Persona:
        """Store a preset: a new one (``persona_id`` None), or the user's preset ``persona_id``
        renamed and rewritten (created again if it was deleted meanwhile). Refuses
        (PersonaRefused) an empty or over-long name, a built-in's name or id, a name another of the
        user's presets has, and an over-long prompt."""
        # Control characters (NUL, escapes) would make two names look alike: they count as spaces.
        name = " ".join("".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in str(name)).split())
        prompt = str(prompt)
        if not name:
            raise PersonaRefused("empty_name", "a preset needs a name")
        if len(name) > MAX_NAME:
            raise PersonaRefused("long_name", f"a preset's name can be at most {MAX_NAME} characters long", name)
        if len(prompt) > MAX_PROMPT:
            raise PersonaRefused("long_prompt", f"a preset's text can be at most {MAX_PROMPT} characters long", name)
        if persona_id is not None and persona_id < 0:
            raise PersonaRefused("builtin", "built-in presets cannot be changed; save it under a new name", name)
        if any(p.name.casefold() == name.casefold() for p in BUILTIN):
            raise PersonaRefused("builtin_name", f"\"{name}\" is the name of a built-in preset; choose another", name)
        now = time.time()

        def run(db):
            other = db.execute("SELECT id FROM personas WHERE name = ? COLLATE NOCASE AND id IS NOT ?",
                               (name, persona_id)).fetchone()
            if other is not None:
                raise PersonaRefused("taken", f"another preset is already called \"{name}\"", name)
            if persona_id is not None and db.execute("UPDATE personas SET name = ?, prompt = ?, updated = ? "
                                                     "WHERE id = ?", (name, prompt, now, persona_id)).rowcount:
                return persona_id
            return db.execute("INSERT INTO personas (name, prompt, created, updated) VALUES (?, ?, ?, ?)",
                              (name, prompt, now, now)).lastrowid

        return Persona(self._run(run), name, prompt)

    def delete_persona(self, persona_id: int) -> None:
        """Delete one of the user's presets (already gone: nothing to do); built-ins are refused."""
        if persona_id < 0:
            raise PersonaRefused("builtin", "built-in presets are part of Hanashi and cannot be deleted")
        self._run(lambda db: db.execute("DELETE FROM personas WHERE id = ?", (persona_id,)))
