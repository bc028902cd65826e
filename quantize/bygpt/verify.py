"""``verify`` for the byte-level model: its byte encoding against a reference tokenizer.

Only ``verify MODEL.gguf --reference DIR --trust-remote-code`` loads the model's own tokenizer code
(through transformers, from a local folder, never downloaded); without the flag the table is the
encoding's round trip. Logits parity goes through the runtime (app/engine) and the reference model.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConversionError
from ..gguf_info import read_metadata
from . import layout, parity


def check_file(gguf_path: str | Path) -> dict:
    """The GGUF's byte-model metadata, refused when it was written for another layout or encoding."""
    meta = read_metadata(gguf_path)
    if meta.get("hanashi.family") != layout.FAMILY:
        raise ConversionError("this GGUF is not a byte-level multi-head model converted by Hanashi", gguf_path,
                              "pass a file converted from a bygpt checkpoint")
    enc, ver = meta.get(layout.META["encoding"]), meta.get(layout.META["layout_version"])
    if enc != layout.ENCODING or ver != layout.LAYOUT_VERSION:
        raise ConversionError(f"the file was written for layout {ver!r} / encoding {enc!r}; this Hanashi has layout "
                              f"{layout.LAYOUT_VERSION} / {layout.ENCODING}", gguf_path,
                              "convert the model again with this version of Hanashi")
    return meta


def reference_encoder(reference: str | Path, trust_remote_code: bool):
    """The model's own tokenizer as text → byte ints; only with ``trust_remote_code`` and a local folder."""
    folder = Path(reference)
    if not trust_remote_code:
        return None
    if not folder.is_dir():
        raise ConversionError("--reference must be a local model folder", folder,
                              "download the model first (hanashi-quantize pull) and pass its folder")
    try:
        from transformers import AutoTokenizer
    except ImportError:
        raise ConversionError("comparing with the model's own tokenizer needs transformers", folder,
                              "install the reference extra: pip install 'hanashi[reference]'") from None
    try:
        tok = AutoTokenizer.from_pretrained(str(folder), trust_remote_code=True, local_files_only=True)
    except Exception as e:  # noqa: BLE001 - the model's own code may fail in any way
        raise ConversionError(f"the model's own tokenizer could not be loaded ({type(e).__name__}: "
                              f"{str(e)[:200]})", folder, "check the folder holds the model's tokenizer files") from None
    return lambda text: list(tok.encode(text, add_special_tokens=False))


def token_parity(gguf_path: str | Path, reference: str | Path, trust_remote_code: bool = False,
                 cancelled=None) -> parity.ByteParity:
    check_file(gguf_path)
    ref = reference_encoder(reference, trust_remote_code)
    return parity.measure(ref, reference_name="the model's own tokenizer", cancelled=cancelled)
