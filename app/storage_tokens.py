"""Token counts stored with each message, so fitting a long history to the context needs no
re-tokenizing: ``messages.tokens`` holds JSON ``{model key: count}`` (a model key names one
tokenizer, e.g. a model file's hash). Editing a message clears its counts.

A mixin of ``Storage`` (it uses the storage's ``_run`` and ``_query``).
"""

from __future__ import annotations


def _tokens(col: str) -> str:
    """The tokens column as a JSON object, '{}' when it is damaged, so JSON functions never fail on it."""
    return f"CASE WHEN json_valid({col}) AND json_type({col}) = 'object' THEN {col} ELSE '{{}}' END"


class TokenCounts:
    def token_counts(self, conversation_id: int, model_key: str) -> dict[int, int]:
        """Message id → token count under ``model_key``, for the messages whose count is known."""
        rows = self._query(f"SELECT m.id, j.value FROM messages AS m, json_each({_tokens('m.tokens')}) AS j "
                           "WHERE m.conversation_id = ? AND j.key = ? AND j.type = 'integer' AND j.value >= 0",
                           (conversation_id, str(model_key)))
        return {int(r[0]): int(r[1]) for r in rows}

    def store_token_counts(self, model_key: str, counts: dict[int, int]) -> None:
        """Remember ``counts`` (message id → token count) under ``model_key``, in one transaction.
        Ids of messages that no longer exist are skipped; other models' counts are kept."""
        rows = []
        for message_id, count in counts.items():
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError(f"token count {count!r} for message {message_id} is not a whole number ≥ 0")
            rows.append((str(model_key), count, int(message_id)))
        if rows:
            self._run(lambda db: db.executemany(
                f"UPDATE messages SET tokens = json_patch({_tokens('tokens')}, json_object(?, ?)) WHERE id = ?", rows))
