"""What send, regenerate and edit do to a stored conversation (no GUI, no model).

Each step commits to the database first and returns a ``ReplyRequest``: everything the engine
needs to write the reply (persona, turns ending with the user message, sampling overrides).
When the reply ends — finished or stopped — ``finish`` commits it at once.

A caller showing the conversation passes ``expect``: the conversation version its view was made
from (``Storage.snapshot``; ``ReplyRequest.version`` and ``Message.version`` after its own
changes). A step that would delete or replace messages the view has not shown refuses with a
``stale`` StorageError instead. ``finish`` stores the reply only if the conversation is still as
it was when the request was made (its question not edited or deleted, nothing added after it).

    request = chat_flow.send(storage, conversation_id, "日本で一番高い山は?")
    result = generate_reply(engine, request.persona, request.turns, sampling=request.sampling)
    chat_flow.finish(storage, request, result, engine.name)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.formats import Turn

from .storage import ASSISTANT, DONE, STOPPED, USER, Message, Storage
from .storage_errors import stale

SAMPLING_KEYS = ("temperature", "top_p", "top_k", "repetition_penalty", "max_new_tokens", "seed")


@dataclass
class ReplyRequest:
    conversation_id: int
    persona: str
    turns: list[Turn]
    sampling: dict = field(default_factory=dict)
    version: int | None = None  # the conversation's version the turns were read at (None: unchecked)
    messages: list[Message] = field(default_factory=list)  # the conversation as the turns show it
    # Token counts stored with the messages for the model writing the reply (message id → count),
    # and those the reply computed anew (filled by whoever runs the model), to store afterwards.
    model_key: str = ""
    token_counts: dict = field(default_factory=dict)
    fresh_counts: dict = field(default_factory=dict)


def turns_of(messages: list[Message]) -> list[Turn]:
    return [Turn(m.role, m.content, message_id=m.id) for m in messages]


def attach_counts(storage: Storage, request: ReplyRequest, model_key: str) -> None:
    """Give the request the token counts stored for ``model_key``: fitting the history to the
    context then tokenizes only the messages never counted for this model. Counts only save
    time, so a database that cannot be read for them leaves the request as it was."""
    from .storage_errors import StorageError

    request.model_key = model_key
    try:
        request.token_counts = storage.token_counts(request.conversation_id, model_key) if model_key else {}
    except StorageError:
        request.token_counts = {}


def store_counts(storage: Storage, request: ReplyRequest) -> None:
    """Store the counts the reply computed (best effort: they are a cache)."""
    from .storage_errors import StorageError

    if request.model_key and request.fresh_counts:
        try:
            storage.store_token_counts(request.model_key, request.fresh_counts)
        except (StorageError, ValueError):
            pass


def _request(storage: Storage, conversation_id: int) -> ReplyRequest:
    convo, messages = storage.snapshot(conversation_id)
    if not messages or messages[-1].role != USER:
        raise ValueError("the conversation must end with a user message to reply to")
    sampling = {k: v for k, v in convo.sampling.items() if k in SAMPLING_KEYS}
    return ReplyRequest(conversation_id, convo.persona, turns_of(messages), sampling, convo.version, messages)


def send(storage: Storage, conversation_id: int, text: str, expect: int | None = None) -> ReplyRequest:
    """Commit a new user message; the request answers it."""
    if not text.strip():
        raise ValueError("the message is empty")
    storage.add_message(conversation_id, USER, text, expect=expect)
    return _request(storage, conversation_id)


def regenerate(storage: Storage, conversation_id: int, expect: int | None = None) -> ReplyRequest:
    """Delete the replies after the last user message; the request answers that message again.
    Only what was read here is deleted, even without ``expect``."""
    convo, messages = storage.snapshot(conversation_id)
    if expect is not None and convo.version != expect:
        raise stale(storage.path)
    last_user = next((m for m in reversed(messages) if m.role == USER), None)
    if last_user is None:
        raise ValueError("there is no user message to answer again")
    later = [m for m in messages if m.id > last_user.id]
    if later:
        storage.delete_messages_from(later[0].id, expect=convo.version)
    return _request(storage, conversation_id)


def edit(storage: Storage, message_id: int, text: str, expect: int | None = None) -> ReplyRequest:
    """Replace a user message's text, delete every later message, and answer it anew."""
    if not text.strip():
        raise ValueError("the message is empty")
    try:
        msg = storage.message(message_id)
    except KeyError:  # deleted since the caller saw it
        raise stale(storage.path) from None
    if msg.role != USER:
        raise ValueError("only your own messages can be edited")
    storage.edit_message(message_id, text, expect=expect)
    return _request(storage, msg.conversation_id)


def finish(storage: Storage, request: ReplyRequest, result, model_name: str = "") -> Message:
    """Commit the reply (``app.engine.ReplyResult``): status ``stopped`` when it was cancelled.
    Refused (``stale``) when the conversation changed after the request was made, ``gone`` when
    it was deleted; trying again after a ``full`` or ``locked`` error is safe."""
    stats = {"reason": result.reason, "n_generated": result.n_generated,
             "tokens_per_s": round(result.tokens_per_s, 2), "n_prompt_tokens": result.n_prompt_tokens,
             "context_used": result.context_used, "n_ctx": result.n_ctx, "seed": result.seed}
    for key in ("first_token_seconds", "generate_seconds", "dropped_turns", "max_new_tokens"):
        value = getattr(result, key, None)  # shown under the reply when the conversation is opened again
        if value is not None:
            stats[key] = round(value, 3) if isinstance(value, float) else value
    status = STOPPED if result.cancelled else DONE
    return storage.add_message(request.conversation_id, ASSISTANT, result.text, status, model_name, stats,
                               expect=request.version)
