"""Export a conversation from the app: a save dialog (never blocking), then ``app.export`` writes
the file whole or not at all and the status bar says where it went (or a box says why not)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import QFileDialog, QWidget

from app import export
from app.storage import Storage, StorageError

from .dialogs import show_error
from .i18n import tr


def words() -> dict:
    """Markdown's words in the UI's language."""
    return {"you": tr("You"), "assistant": tr("Assistant"), "model": tr("Model"), "persona": tr("Persona"),
            "created": tr("Created"), "stopped": tr("stopped before the end"), "untitled": tr("New conversation")}


def _folder() -> str:
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return docs if docs and Path(docs).is_dir() else str(Path.home())


def save(storage: Storage, conversation_id: int, fmt: str, path: str | Path) -> Path:
    """Write the conversation as it is stored now; ``.md`` / ``.json`` added when the name has no
    extension. ExportError or StorageError say why not."""
    path = Path(path)
    if not path.suffix:
        path = path.with_name(path.name + export.EXTENSIONS[fmt])
    text = export.render([export.record(storage, conversation_id)], fmt, words())
    return export.write_atomic(path, text)


def ask_and_export(parent: QWidget, storage: Storage, conversation_id: int, fmt: str, done=None) -> QFileDialog | None:
    """Open a save dialog for conversation ``conversation_id``; on OK write it and call
    ``done(path)``. None (explained) when the conversation cannot be read."""
    try:
        convo = storage.conversation(conversation_id)
    except (KeyError, StorageError) as e:
        show_error(parent, tr("The conversation could not be exported"), e)
        return None
    name = export.file_name({"id": convo.id, "title": convo.title}, fmt)
    kinds = {"md": tr("Markdown (*.md)"), "json": tr("JSON (*.json)")}
    dialog = QFileDialog(parent, tr("Export conversation"), str(Path(_folder()) / name), kinds[fmt])
    dialog.setObjectName("export-dialog")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setDefaultSuffix(export.EXTENSIONS[fmt].lstrip("."))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def chosen(path: str) -> None:
        try:
            written = save(storage, conversation_id, fmt, path)
        except (export.ExportError, StorageError) as e:
            show_error(parent, tr("The conversation could not be exported"), e)
            return
        if done is not None:
            done(written)

    dialog.fileSelected.connect(chosen)
    dialog.open()
    return dialog
