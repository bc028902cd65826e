"""Search inside conversations: titles and the text of every message.

Messages are indexed with SQLite's FTS5 and its ``trigram`` tokenizer, which needs no word
boundaries and so works for Japanese (and any other language). Triggers keep the index in step
with every insert, edit and delete of a message. A word of one or two characters is too short for
trigrams: it is matched with ``LIKE`` over the messages instead (fast enough at a desktop
history's size). Where this SQLite has no FTS5 or no trigram tokenizer (older than 3.34), every
word is matched with ``LIKE`` and ``SearchResult.note`` says so; the index is made (or rebuilt
from the messages) the next time the database is opened by an SQLite that has them.

A query is split at white space; a conversation matches when its title holds every word, or one
of its messages does. Any text is a valid query: quotes, FTS operators, ``*``, NUL characters and
very long text are searched for literally, never parsed.

A mixin of ``Storage`` (it uses the storage's ``_run``, ``_read`` and ``_conversation``).
"""

from __future__ import annotations

import html
import re
import sqlite3
from dataclasses import dataclass, field

from .storage_errors import StorageError

MAX_WORD = 1000  # characters in one word; a longer one is refused (SQLite bounds a LIKE pattern), with a note
MAX_WORDS = 16  # more words than this are refused (SQLite bounds a query's size), with a note
MAX_HITS = 200  # conversations listed at most, newest first
MIN_SQLITE = (3, 34, 0)  # the trigram tokenizer's first release

_TRIGGERS = {
    "messages_fts_insert": "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN "
                           "INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content); END",
    "messages_fts_delete": "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN "
                           "DELETE FROM messages_fts WHERE rowid = old.id; END",
    "messages_fts_update": "CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN "
                           "DELETE FROM messages_fts WHERE rowid = old.id; "
                           "INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content); END",
}


@dataclass
class SearchHit:
    conversation: object  # app.storage.Conversation
    message_id: int | None  # the newest message that matched (None: only the title matched)
    matches: int  # how many of its messages matched
    title_html: str  # the title, HTML-escaped, the words found in <b>…</b>
    snippet_html: str  # the text around the first match in that message, the same way ("" for none)


@dataclass
class SearchResult:
    query: str
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0  # conversations that matched (``hits`` holds at most ``limit`` of them)
    too_many_words: bool = False  # more than MAX_WORDS words: nothing was searched
    too_long_word: bool = False  # a word longer than MAX_WORD characters: nothing was searched
    full_text: bool = True  # the FTS index was used
    full_text_missing: str = ""  # why not, when not

    def __bool__(self) -> bool:
        return bool(self.hits)

    @property
    def note(self) -> str:
        """Why the search was limited or slower, in English ("" when it was not)."""
        notes = []
        if not self.full_text:
            notes.append("Full-text search is not available here, so messages are searched one by one "
                         f"(slower on long histories): {self.full_text_missing}.")
        if self.too_many_words:
            notes.append(f"Search for at most {MAX_WORDS} words at a time.")
        if self.too_long_word:
            notes.append(f"Search for words of at most {MAX_WORD} characters.")
        if self.total > len(self.hits):
            notes.append(f"Only the {len(self.hits)} most recent of {self.total} matching conversations are listed.")
        return " ".join(notes)


def full_text_support(db: sqlite3.Connection) -> str:
    """"" when this SQLite has FTS5 with the trigram tokenizer; otherwise why not."""
    version = tuple(int(p) for p in sqlite3.sqlite_version.split(".")[:3])
    if version < MIN_SQLITE:
        return f"SQLite {sqlite3.sqlite_version} is older than 3.34 (no trigram tokenizer)"
    try:
        db.execute("CREATE VIRTUAL TABLE temp.hanashi_fts_probe USING fts5(x, tokenize = 'trigram')")
        db.execute("DROP TABLE temp.hanashi_fts_probe")
    except sqlite3.Error as e:
        return f"this SQLite {sqlite3.sqlite_version} has no FTS5 trigram tokenizer ({e})"
    return ""


def _index_state(db: sqlite3.Connection) -> tuple[bool, set[str]]:
    row = db.execute("SELECT sql FROM sqlite_master WHERE name = 'messages_fts'").fetchone()
    # Only the real FTS5 table counts; anything else under its name is dropped and rebuilt.
    table = row is not None and " ".join(str(row[0] or "").split()).upper().startswith(
        "CREATE VIRTUAL TABLE MESSAGES_FTS USING FTS5")
    triggers = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                         "AND name LIKE 'messages_fts_%'")}
    return table, triggers


def sync_index(db: sqlite3.Connection, use: bool, rebuild: bool = False) -> None:
    """Make the index match ``use`` (inside the caller's write transaction). Using it: create the
    table and triggers where missing and fill it from the messages. Not using it (no FTS5 here):
    drop the triggers, so messages can still be written; the index is rebuilt when next used."""
    table, triggers = _index_state(db)
    if not use:
        for name in triggers:
            db.execute(f"DROP TRIGGER {name}")
        return
    if table and triggers == set(_TRIGGERS) and not rebuild:
        return
    kind = db.execute("SELECT type FROM sqlite_master WHERE name = 'messages_fts'").fetchone()
    if kind is not None:  # written while the triggers were away, or not the FTS table at all: start again
        db.execute(f"DROP {'VIEW' if kind[0] == 'view' else 'TABLE'} messages_fts")
    for name in triggers:
        db.execute(f"DROP TRIGGER {name}")
    db.execute("CREATE VIRTUAL TABLE messages_fts USING fts5(content, tokenize = 'trigram')")
    db.execute("INSERT INTO messages_fts (rowid, content) SELECT id, content FROM messages")
    for sql in _TRIGGERS.values():
        db.execute(sql)


def words_of(query: str) -> list[str]:
    """The query's words: split at white space (NUL and lone surrogates, which no stored text can
    hold, count as space), each once, in order."""
    seen: dict[str, None] = {}
    for w in re.sub("[\x00\ud800-\udfff]", " ", query).split():
        seen.setdefault(w, None)
    return list(seen)


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'  # an FTS5 string: every character literal


def highlight(text: str, words: list[str], width: int = 0) -> str:
    """``text`` as HTML with ``words`` (case-insensitive) in <b>…</b>. With ``width``: only about
    that many characters around the first match, on one line, with … where text was left out."""
    if not words:
        return html.escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    if width:
        first = pattern.search(text)
        start = 0 if first is None else max(0, first.start() - width // 4)
        end = min(len(text), start + width)
        while start > 0 and end - start < width:  # a match near the end: show more before it
            start -= 1
        piece = text[start:end]
        text = ("…" if start > 0 else "") + " ".join(piece.split()) + ("…" if end < len(text) else "")
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(html.escape(text[last:m.start()]))
        out.append("<b>" + html.escape(m.group()) + "</b>")
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


class Search:
    full_text: bool = False  # messages are searched through the FTS index
    full_text_missing: str = ""  # why not, when not

    def _setup_search(self, want: bool | None) -> None:
        """Decide whether to use the FTS index (``want``: None = where available) and make the
        database match: build a missing or outdated index, or drop triggers this SQLite can't run."""
        reason = full_text_support(self.db)
        if want is False:
            reason = reason or "full-text search was turned off"
        self.full_text, self.full_text_missing = not reason, reason
        table, triggers = self._read(_index_state)
        if self.full_text and table and not self._index_sound():
            table = False  # a damaged index is only an index: it is built again from the messages
        if (self.full_text and not (table and triggers == set(_TRIGGERS))) or (not self.full_text and triggers):
            try:
                self._run(lambda db: sync_index(db, self.full_text, rebuild=not table))
            except StorageError:
                if not self.full_text:
                    raise
                # The index cannot even be dropped (its own data is damaged): the conversations are
                # fine, so search them one by one and keep writing them without the index.
                self.full_text, self.full_text_missing = False, "the search index in the database is damaged"
                self._run(lambda db: sync_index(db, False))

    def _index_sound(self) -> bool:
        """FTS5's own check of the index against its content (read-only for the messages)."""
        try:
            self._run(lambda db: db.execute("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')"))
            return True
        except StorageError:
            return False

    def search(self, query: str, limit: int = MAX_HITS) -> SearchResult:
        """Conversations whose title or one of whose messages holds every word of ``query``,
        most recently updated first. Never raises for any ``query`` (a database that cannot be
        read raises StorageError, as every storage call does)."""
        words = words_of(query if isinstance(query, str) else "")
        result = SearchResult(query, full_text=self.full_text, full_text_missing=self.full_text_missing)
        if not words:
            return result
        if len(words) > MAX_WORDS:
            result.too_many_words = True
            return result
        if any(len(w) > MAX_WORD for w in words):
            result.too_long_word = True
            return result
        conds, args = [], []
        for w in words:
            if self.full_text and len(w) >= 3:
                conds.append("m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)")
                args.append(_phrase(w))
            else:
                conds.append("m.content LIKE ? ESCAPE '\\'")
                args.append(_like(w))
        title_conds = " AND ".join("c.title LIKE ? ESCAPE '\\'" for _ in words)

        def read(db):
            found = {r[0]: (r[1], r[2]) for r in db.execute(
                f"SELECT m.conversation_id, max(m.id), count(*) FROM messages AS m WHERE {' AND '.join(conds)} "
                "GROUP BY m.conversation_id", args)}
            titled = {r[0] for r in db.execute(f"SELECT c.id FROM conversations AS c WHERE {title_conds}",
                                               [_like(w) for w in words])}
            ids = list(found.keys() | titled)
            rows = []
            for i in range(0, len(ids), 500):
                part = ids[i:i + 500]
                rows += db.execute(f"SELECT * FROM conversations WHERE id IN ({','.join('?' * len(part))})",
                                   part).fetchall()
            rows.sort(key=lambda r: (r["updated"], r["id"]), reverse=True)
            rows = rows[:max(0, limit)]
            texts = {}
            for r in rows:
                if r["id"] in found:
                    mid = found[r["id"]][0]
                    texts[mid] = db.execute("SELECT content FROM messages WHERE id = ?", (mid,)).fetchone()[0]
            return found, rows, texts, len(ids)

        found, rows, texts, result.total = self._read(read)
        for r in rows:
            convo = self._conversation(r)
            mid, count = found.get(convo.id, (None, 0))
            snippet = highlight(texts[mid], words, width=90) if mid is not None else ""
            result.hits.append(SearchHit(convo, mid, count, highlight(convo.title, words), snippet))
        return result
