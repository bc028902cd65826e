"""Errors as the window shows them: in the UI's language, from the error's stable code.

Every error Hanashi explains (``quantize.errors.ExplainedError`` and its subclasses, Hub errors,
storage errors) carries a ``code`` (``gguf.truncated``, ``convert.missing_file``, ``hub.gated``,
``storage.locked``…) and the ``params`` its sentence needs. Here each code has a sentence and a fix,
both marked for translation; the error's own English text becomes the details below them.

    shown = describe(error)          # ErrorText: text (translated), details (English), code
    show_error(parent, title, error)  # dialogs.show_error does this itself

Without a translation (the English UI) the error's own message is shown as it always was, except
that a fix telling the user to run a command (``hanashi-quantize``, ``pip``, an ``--option``) is
replaced by this module's fix, which names what to do in the app. A code not listed here gives a
generic sentence with the English message under it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .i18n import N_, tr


@dataclass(frozen=True)
class Template:
    what: str  # %1: the file (or repository, or folder) named; %2…: ``params`` in order
    fix: str = ""
    params: tuple[str, ...] = ()  # parameter names; "name:size" formats a byte count
    generic: bool = False  # says nothing the English message doesn't: show that message in the text too


T = Template
TEMPLATES: dict[str, Template] = {
    # ---- any error
    "error": T(N_("Something went wrong."), generic=True),
    "cancelled": T(N_("The work was cancelled; nothing was kept.")),
    # ---- model files (GGUF)
    "gguf.missing": T(N_("The model file %1 does not exist."),
                      N_("Check where the file is, or choose it again in the model library.")),
    "gguf.dangling_link": T(N_("%1 is a link to a file that no longer exists."),
                            N_("Open the file the link pointed to, or remove the link.")),
    "gguf.link_loop": T(N_("%1 is a link that points to itself (a symlink loop)."),
                        N_("Remove the link and open the model file itself.")),
    "gguf.unreadable": T(N_("%1 cannot be read."), N_("Check that the file is readable, or download it again.")),
    "gguf.not_file": T(N_("%1 is not a regular file (it is a folder, a pipe or a device)."),
                       N_("Open a .gguf model file.")),
    "gguf.folder": T(N_("%1 is a folder, not a GGUF model file."),
                     N_("Choose the .gguf file inside it, or convert the folder with Import folder… in the "
                        "model library.")),
    "gguf.not_gguf": T(N_("%1 is not a GGUF model file."),
                       N_("Open a .gguf model file, or convert a Hugging Face model folder with Import folder… "
                          "in the model library.")),
    "gguf.empty": T(N_("%1 is empty."), N_("Download or convert the model again.")),
    "gguf.version": T(N_("%1 is written in GGUF version %2, which this version of llama.cpp cannot read."),
                      N_("Convert the model again, or download a current GGUF of it."), ("version",)),
    "gguf.header_damaged": T(N_("The header of %1 is damaged or cut short."),
                             N_("Download or convert the model again.")),
    "gguf.truncated": T(N_("%1 is cut short: its weights need %2, but the file holds only %3."),
                        N_("The download or conversion stopped before the end: download or convert the "
                           "model again."), ("needed:size", "size:size")),
    "gguf.layout": T(N_("The weights in %1 are damaged: they are not laid out as llama.cpp reads them."),
                     N_("Download or convert the model again.")),
    "gguf.corrupt": T(N_("%1 is damaged."), N_("Download or convert the model again.")),
    "gguf.invalid": T(N_("%1 has a setting that llama.cpp or Hanashi cannot use (%2)."),
                      N_("Download or convert the model again."), ("key",)),
    # ---- loading a model
    "model.load_failed": T(N_("%1 could not be loaded."), generic=True),
    "model.architecture": T(N_("%1 is a model of the architecture %2, which this version of Hanashi cannot "
                               "run."),
                            N_("Use a model of a supported family (GPT-NeoX or GPT-2), or update Hanashi."),
                            ("architecture",)),
    "model.no_architecture": T(N_("%1 does not say which model architecture it holds."),
                               N_("Convert the model again.")),
    "model.too_large": T(N_("%1 needs about %2 GiB of memory, but only %3 GiB is free."),
                         N_("Close other programs, choose a smaller quantization (such as q4_k_m), lower the "
                            "context size in Settings, or use a GPU."), ("needed_gib", "available_gib")),
    "model.crashed": T(N_("llama.cpp cannot use %1: it stopped while trying the file."),
                       N_("Download or convert the model again.")),
    "model.llama_refused": T(N_("llama.cpp could not load %1: the file may be cut short or damaged."),
                             N_("Download or convert the model again.")),
    "model.probe_timeout": T(N_("Checking %1 took longer than %2 seconds, so it was stopped."),
                             N_("If the file is on a slow or network disk, copy it to a local disk and try "
                                "again."), ("seconds",)),
    "engine.failed": T(N_("The model stopped with an error."), generic=True),
    "engine.generation": T(N_("The model failed while writing its reply."),
                           N_("Try again; if it keeps happening, load the model again.")),
    "engine.busy": T(N_("The model is still writing a reply."), N_("Wait until it has finished, or press Stop.")),
    # ---- converting a model folder
    "convert.failed": T(N_("The model could not be converted."), generic=True),
    "convert.missing_file": T(N_("The model folder lacks %2."),
                              N_("Download the complete model folder from the model's page on Hugging Face."),
                              ("file",)),
    "convert.unreadable_file": T(N_("%2 in the model folder cannot be read."),
                                 N_("Check that the file exists and is readable."), ("file",)),
    "convert.not_a_file": T(N_("%2 in the model folder is not a regular file."),
                            N_("Replace it with the real file from the model's page on Hugging Face."), ("file",)),
    "convert.no_folder": T(N_("The model folder %1 does not exist."),
                           N_("Choose the folder that holds config.json and the .safetensors files.")),
    "convert.no_tokenizer": T(N_("The model folder %1 has no sentencepiece tokenizer model (spiece.model)."),
                              N_("Download the tokenizer files too: Hanashi checks the converted tokenizer "
                                 "against the original.")),
    "convert.missing_shards": T(N_("%2 of the %3 weight files the model folder lists are missing (for example "
                                   "%4)."),
                                N_("Download every weight file (model-0000x-of-0000y.safetensors)."),
                                ("missing", "total", "file")),
    "convert.pickled_only": T(N_("The model folder %1 has its weights only in a pickled format Hanashi does not "
                                 "read."),
                              N_("Download the model's .safetensors weights (or pytorch_model.bin).")),
    "convert.no_weights": T(N_("The model folder %1 has no model weights (*.safetensors)."),
                            N_("Download model.safetensors, or every weight file together with "
                               "model.safetensors.index.json.")),
    "convert.architecture": T(N_("Hanashi cannot convert %1: its architecture %2 is not supported."),
                              N_("Hanashi converts the rinna GPT-NeoX and inu-ai GPT-2 models; for other models, "
                                 "open a GGUF made by their own tools."), ("architecture",)),
    "convert.tokenizer_unusable": T(N_("llama.cpp cannot tokenize the vocabulary of %1 with any tokenizer "
                                       "type."),
                                    N_("Use the tokenizer model (spiece.model) from the model's own page on "
                                       "Hugging Face.")),
    "convert.output_folder_missing": T(N_("The folder %1, where the model was to be written, does not exist."),
                                       N_("Create the folder, or choose another one.")),
    "convert.output_folder_readonly": T(N_("Hanashi cannot write to the folder %1."),
                                        N_("Choose a folder you can write to, or fix its permissions.")),
    "convert.disk_space": T(N_("There is not enough disk space: about %2 is needed, %3 is free."),
                            N_("Free some disk space, then try again."), ("needed", "free")),
    "convert.disk_full": T(N_("The disk became full while writing %1; nothing was kept."),
                           N_("Free some disk space, then try again.")),
    "convert.output_readonly": T(N_("%1 cannot be written."), N_("Choose a folder you can write to.")),
    "convert.write_failed": T(N_("Writing %1 failed."), N_("Check the disk, then try again.")),
    "worker.crashed": T(N_("llama.cpp stopped unexpectedly while working on %1."),
                        N_("The file's contents are not something llama.cpp can use: download or convert it "
                           "again. If it keeps happening, report it with the details below.")),
    "worker.timeout": T(N_("Working on %1 took too long and was stopped."),
                        N_("The file may be on a stalled or slow disk: copy it to a local disk and try again.")),
    "worker.unexpected": T(N_("An unexpected error stopped the work on %1."),
                           N_("Please report it with the details below."), generic=True),
    # ---- the Hugging Face Hub (%1: the repository)
    "hub.not_found": T(N_("There is no model %1 on the Hugging Face Hub, or it is private. Check the repo id.")),
    "hub.gated": T(N_("%1 is gated: the Hub lets only signed-in users who accepted its terms download it. Accept "
                      "the terms on the model's page, create an access token in your Hugging Face settings, set "
                      "it as the HF_TOKEN environment variable and restart Hanashi.")),
    "hub.revision": T(N_("The requested revision of %1 does not exist on the Hub.")),
    "hub.offline": T(N_("Hanashi is set to work offline (HF_HUB_OFFLINE) and %1 is not in the download cache. "
                        "Unset HF_HUB_OFFLINE and restart Hanashi to download it.")),
    "hub.network": T(N_("The Hugging Face Hub could not be reached. Check the internet connection and press "
                        "Download again: what was already downloaded is kept.")),
    "hub.disk": T(N_("There is not enough free disk space to download and convert %1. Free some space and "
                     "press Download again.")),
    "hub.unsupported": T(N_("Hanashi cannot convert %1: its architecture is not one Hanashi supports.")),
    "hub.files": T(N_("A file %1 needs for the conversion is missing, could not be stored, or did not arrive "
                      "intact. Press Download again: a damaged part is downloaded anew.")),
    # ---- the conversation database (%1: its file)
    "storage.corrupt": T(N_("The conversation database %1 is damaged."),
                         N_("Move the damaged file aside (Hanashi offers to) and start a new one; the old file is "
                            "kept for recovery.")),
    "storage.locked": T(N_("The conversation database is locked by another program."),
                        N_("Close the other Hanashi window (or the program using the file) and try again.")),
    "storage.newer": T(N_("The conversation database %1 was written by a newer version of Hanashi."),
                       N_("Use the newer Hanashi, or update this one; the file was left untouched.")),
    "storage.full": T(N_("The disk is full, so the conversation could not be saved."),
                      N_("Free some disk space, then try again.")),
    "storage.readonly": T(N_("The conversation database %1 cannot be written."),
                          N_("Check that the data folder and the database file are writable.")),
    "storage.gone": T(N_("The conversation no longer exists: it was deleted, perhaps in another Hanashi window."),
                      N_("Nothing to fix here; copy any text you want to keep.")),
    "storage.stale": T(N_("The conversation was changed elsewhere (in another Hanashi window or by the terminal "
                          "chat) after this view of it was made, so nothing was changed."),
                       N_("Look at the conversation as it is now and try again.")),
    "storage.constraint": T(N_("The conversation database refused the change."),
                            N_("This is a bug in Hanashi; please report it with the details below.")),
    "storage.io": T(N_("The conversation database %1 cannot be used."),
                    N_("Check the free disk space and that the data folder is writable.")),
}

# A fix (or message) that tells the user to type a command, or names a command's option (--ctx, -o):
# the window says what to do in the app instead.
COMMAND_LINE = re.compile(r"hanashi-quantize|hanashi chat|hanashi-cli|huggingface-cli|hf auth|`|\bpip\b|\bbash\b"
                          r"|\.venv|\bscripts/|(?<![\w-])--[a-z]|(?:^|\s)-[a-zA-Z](?:\s|$)")


def mentions_command_line(text: str) -> bool:
    """Whether ``text`` tells the user to run a command-line tool (or names one of its options)."""
    return isinstance(text, str) and bool(COMMAND_LINE.search(text))


@dataclass(frozen=True)
class ErrorText:
    text: str  # what happened, what to do, and where: in the UI's language
    details: str  # the error's own English text (without commands to type), or ""
    code: str


def error_code(error: BaseException) -> str:
    """The error's stable code: its own, its kind's (Hub and storage errors), or a generic one."""
    from quantize.errors import ConversionCancelled

    if isinstance(error, ConversionCancelled):
        return "cancelled"
    kind = getattr(error, "kind", "")
    if type(error).__name__ == "StorageError" and kind:
        return f"storage.{kind}"
    if type(error).__name__ == "HubError" and kind:
        return f"hub.{kind}"
    code = getattr(error, "code", "")
    return code if isinstance(code, str) and code else "error"


def template(code: str) -> Template:
    """The template for ``code``; an unknown ``a.b`` falls back to ``a``'s generic one, then to "error"."""
    if code in TEMPLATES:
        return TEMPLATES[code]
    family = code.split(".", 1)[0]
    fallback = {"gguf": "gguf.corrupt", "model": "model.load_failed", "engine": "engine.failed",
                "convert": "convert.failed", "worker": "worker.unexpected"}.get(family, "error")
    return TEMPLATES[fallback]


def _subject(path: object) -> str:
    if not path:
        return ""
    text = str(path)
    if "://" in text:
        return text
    return Path(text).name or text


def _param(params: dict, spec: str) -> str:
    name, _, kind = spec.partition(":")
    value = params.get(name, "")
    if kind == "size" and isinstance(value, int):
        from app.library import human_size

        return human_size(value)
    return str(value)


def sentence(code: str, params: dict | None = None, subject: str = "") -> str:
    """The one sentence saying what happened (no fix), in the UI's language: for lists and tables."""
    t = template(code)
    text = tr(t.what).replace("%1", subject or tr("the model"))
    for i, spec in enumerate(t.params, start=2):
        text = text.replace(f"%{i}", _param(params or {}, spec))
    return text


def problem_text(code: str, params: dict | None, subject: str, english: str) -> str:
    """Why a listed file cannot be used, in one sentence: translated from ``code``, or, without a
    translation, the ``english`` message itself (unless it names a command to type)."""
    t = template(code or "error")
    if tr(t.what) == t.what and english and not mentions_command_line(english):
        return english
    return sentence(code or "error", params, subject)


def english_details(error: BaseException) -> str:
    """The error's own English text: where, what, and its fix unless that is a command to type."""
    message = getattr(error, "message", None)
    if not isinstance(message, str):
        message = (str(error).splitlines() or [type(error).__name__])[0] if str(error) else type(error).__name__
    if mentions_command_line(message):
        message = TEMPLATES.get(error_code(error), TEMPLATES["error"]).what.replace("%1", _subject(
            getattr(error, "path", None)) or "the model")
    where = getattr(error, "path", None)
    text = f"{where}: {message}" if where and str(where) not in message else message
    fix = getattr(error, "fix", "")
    if isinstance(fix, str) and fix and not mentions_command_line(fix):
        text += f"\n  How to fix: {fix}"
    return text


def describe(error: BaseException, subject: str | None = None) -> ErrorText:
    """``error`` as the window shows it. ``subject`` replaces the file name the sentence names
    (e.g. the repository id of a download)."""
    code = error_code(error)
    t = template(code)
    where = getattr(error, "path", None)
    params = getattr(error, "params", None)
    params = params if isinstance(params, dict) else {}
    details = english_details(error)
    translated = tr(t.what) != t.what
    if not translated:  # the English UI: the error's own words, with a fix that needs no terminal
        message = getattr(error, "message", None) or str(error) or type(error).__name__
        fix = getattr(error, "fix", "") or ""
        if mentions_command_line(message) or not isinstance(message, str):
            text = sentence(code, params, subject or _subject(where))
        else:
            text = f"{where}: {message}" if where and str(where) not in message else message
        if not isinstance(fix, str) or mentions_command_line(fix):
            fix = tr(t.fix) if t.fix else ""
        if fix:
            text += f"\n  {tr('How to fix: %1').replace('%1', fix)}"
        return ErrorText(text, "", code)
    text = sentence(code, params, subject or _subject(where))
    if t.generic:
        text += "\n\n" + details
        details = ""
    if t.fix:
        text += "\n\n" + tr("How to fix: %1").replace("%1", tr(t.fix))
    if where and not t.generic:
        text += "\n" + tr("Where: %1").replace("%1", str(where))
    return ErrorText(text, details, code)


def error_text(error: BaseException, subject: str | None = None) -> str:
    """``describe(error)`` as one text: the translated words, then the English details."""
    shown = describe(error, subject)
    return f"{shown.text}\n\n{shown.details}" if shown.details else shown.text
