"""Reading a sentencepiece model: its pieces, their types, and the flags that shape tokenization."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ConversionError

# sentencepiece ModelProto.SentencePiece.Type, which GGUF's token types share.
NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6
MODEL_TYPES = {1: "unigram", 2: "bpe", 3: "word", 4: "char"}


@dataclass
class SpModel:
    path: Path
    proto_bytes: bytes
    model_type: str  # "unigram" | "bpe" | ...
    pieces: list[str]
    scores: list[float]
    types: list[int]
    byte_fallback: bool
    add_dummy_prefix: bool
    remove_extra_whitespaces: bool
    escape_whitespaces: bool
    normalization_rule: str
    precompiled_charsmap: bytes
    unk_id: int
    bos_id: int
    eos_id: int
    pad_id: int

    def id_of(self, piece: str) -> int | None:
        try:
            return self.pieces.index(piece)
        except ValueError:
            return None

    def processor(self):
        import sentencepiece as spm

        return spm.SentencePieceProcessor(model_proto=self.proto_bytes)


_MAX_SP_MODEL = 256 * 1024 * 1024
_FIX = "download the tokenizer model (spiece.model) again"


def load_sp_model(path: Path) -> SpModel:
    """The model's pieces and flags; a clear ConversionError for anything sentencepiece can't load."""
    import os
    import stat

    from sentencepiece import sentencepiece_model_pb2 as pb

    path = Path(path)
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise ConversionError("the sentencepiece model is not a regular file", path, _FIX)
        if st.st_size == 0 or st.st_size > _MAX_SP_MODEL:
            raise ConversionError(f"the sentencepiece model is {st.st_size:,} bytes (empty or impossibly large)",
                                  path, _FIX)
        data = path.read_bytes()
    except OSError as e:
        raise ConversionError(f"cannot read the sentencepiece model ({e.strerror or e})", path, _FIX) from None
    m = pb.ModelProto()
    try:
        m.ParseFromString(data)
    except Exception as e:  # protobuf raises its own DecodeError
        raise ConversionError(f"not a valid sentencepiece model ({str(e)[:200]})", path, _FIX) from None
    if not m.pieces:
        raise ConversionError("sentencepiece model has no pieces", path, _FIX)
    try:  # protobuf may parse what sentencepiece itself refuses
        import sentencepiece as spm

        spm.SentencePieceProcessor(model_proto=data)
    except Exception as e:  # sentencepiece raises RuntimeError / OSError with its own message
        raise ConversionError(f"sentencepiece cannot load this model ({str(e)[:200] or type(e).__name__})",
                              path, _FIX) from None
    t, n = m.trainer_spec, m.normalizer_spec
    return SpModel(
        path=path,
        proto_bytes=data,
        model_type=MODEL_TYPES.get(t.model_type, str(t.model_type)),
        pieces=[p.piece for p in m.pieces],
        scores=[p.score for p in m.pieces],
        types=[p.type or NORMAL for p in m.pieces],
        byte_fallback=bool(t.byte_fallback),
        add_dummy_prefix=bool(n.add_dummy_prefix),
        remove_extra_whitespaces=bool(n.remove_extra_whitespaces),
        escape_whitespaces=bool(n.escape_whitespaces),
        normalization_rule=n.name or "",
        precompiled_charsmap=bytes(n.precompiled_charsmap),
        unk_id=t.unk_id,
        bos_id=t.bos_id,
        eos_id=t.eos_id,
        pad_id=t.pad_id,
    )
