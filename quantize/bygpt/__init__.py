"""The byte-level multi-head model (tohoku-nlp/bygpt-jp-multi-lm-head-*): layout table, byte
encoding, conversion to one GGUF (Llama backbone as tensors, byte embedding, merge and heads as
``hanashi.bygpt.*`` metadata) and the parity of its encoding.

    layout      THE table of every assumption; the rest follows it
    encoding    the byte encoding (ByteEncoder, StreamDecoder)
    gguf_extra  how the extra tensors are stored, and read_extra(path) for the runtime
    arch        the conversion plan and the one clear layout-mismatch error
    write       the float GGUF;  convert  the whole pipeline;  parity  the encoding parity table
"""
