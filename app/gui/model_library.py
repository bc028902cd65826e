"""The model library window: the GGUFs Hanashi knows, loading, opening, deleting, importing a
Hugging Face folder (convert + quantize with one progress bar over every stage, the stage's name
and the time left; cancelable; parity report at the end), and "Get a model…" (``get_model_dialog``:
download from the Hub, convert and load in one step). One row per file (``library.list_models``);
models of the same name are told apart by file and date (``library_rows``). The main window's
shortcuts are given to this window (and to Get a model…), so they work from here too.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QFileDialog, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QProgressBar, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from app import library, paths
from app.library import ModelEntry
from quantize.convert import OUTPUT_TYPES

from .dialogs import confirm, show_error, show_info
from .error_text import problem_text
from .get_model_dialog import GetModelDialog
from .i18n import N_, current, tr
from .import_worker import ImportJob, ImportResult
from .library_rows import DETAIL_ROLE, NameDelegate, details, tooltip
from .pull_worker import progress_line
from .model_texts import family_text, parity_cell, parity_summary

COLUMNS = (N_("Name"), N_("Family"), N_("Type"), N_("Size"), N_("Tokenizer parity"), N_("Where"))
STAGES = {"parity": N_("Checking the tokenizer…"), "write": N_("Writing the GGUF file…"),
          "quantize": N_("Quantizing…")}


class ModelLibrary(QDialog):
    load_requested = Signal(str)
    open_requested = Signal(str)  # a GGUF from outside the models folder
    delete_requested = Signal(str)
    imported = Signal(str)

    def __init__(self, parent: QWidget | None = None, import_type: str = "q4_k_m"):
        super().__init__(parent)
        self.setObjectName("model-library")
        self.setModal(False)
        self.resize(860, 560)
        self.entries: list[ModelEntry] = []
        self.loaded_path = ""
        self.import_job: ImportJob | None = None
        self.get_dialog: GetModelDialog | None = None
        self.last_result: ImportResult | None = None

        self.help = QLabel(self)
        self.help.setWordWrap(True)
        self.help.setTextFormat(Qt.TextFormat.RichText)
        self.help.setOpenExternalLinks(True)
        self.help.setObjectName("add-model-help")
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setItemDelegateForColumn(0, NameDelegate(self.table))
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.cellDoubleClicked.connect(lambda *_: self._load_selected())
        self.get_button = QPushButton(self)
        self.get_button.setObjectName("get-model-button")
        self.get_button.clicked.connect(lambda: self.open_get_model())
        self.load_button = QPushButton(self)
        self.load_button.clicked.connect(self._load_selected)
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(self._open_file)
        self.delete_button = QPushButton(self)
        self.delete_button.clicked.connect(self._delete_selected)
        self.folder_label = QLabel(self)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.import_box = QGroupBox(self)
        self.type_label = QLabel(self.import_box)
        self.type_combo = QComboBox(self.import_box)
        self.type_combo.addItems(list(OUTPUT_TYPES))
        self.type_combo.setCurrentText(import_type if import_type in OUTPUT_TYPES else "q4_k_m")
        self.import_button = QPushButton(self.import_box)
        self.import_button.clicked.connect(self._choose_folder)
        self.cancel_button = QPushButton(self.import_box)
        self.cancel_button.clicked.connect(self.cancel_import)
        self.cancel_button.setEnabled(False)
        self.stage_label = QLabel(self.import_box)
        self.progress = QProgressBar(self.import_box)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        row = QHBoxLayout()
        row.addWidget(self.type_label)
        row.addWidget(self.type_combo)
        row.addStretch(1)
        row.addWidget(self.import_button)
        row.addWidget(self.cancel_button)
        box = QVBoxLayout(self.import_box)
        box.addLayout(row)
        box.addWidget(self.stage_label)
        box.addWidget(self.progress)

        buttons = QHBoxLayout()
        buttons.addWidget(self.get_button)
        buttons.addWidget(self.load_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.help)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.folder_label)
        layout.addWidget(self.import_box)
        self.retranslate()

    # ------------------------------------------------------------ listing

    def refresh(self, entries: list[ModelEntry], loaded_path: str = "") -> None:
        self.entries, self.loaded_path = entries, loaded_path
        self.table.setRowCount(len(entries))
        apart = details(entries)  # models of the same name (two imports of one folder) told apart
        for row, e in enumerate(entries):
            where = tr("bundled demo") if e.bundled else tr("models folder") if e.in_library else str(e.path.parent)
            problem = problem_text(e.error_code, e.error_params, e.path.name, e.error) if e.error else ""
            family = family_text(e) if not e.error else tr("unreadable: %1").replace("%1", problem)
            cells = (e.name, family, e.quant, e.size_text, parity_cell(e.parity_facts) if not e.error else "", where)
            loaded = bool(loaded_path) and (str(e.path) == loaded_path or library.same_file(e.path, loaded_path))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tooltip(e) if col == 0 else f"{text}\n\n{e.path}: {e.error}"
                                if col == 1 and e.error and problem != e.error else text)
                if col == 0 and apart[row]:
                    item.setData(DETAIL_ROLE, apart[row])
                if loaded:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._update_buttons()

    def selected(self) -> ModelEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.entries[rows[0].row()] if rows else None

    def select_path(self, path: str | Path) -> None:
        for row, e in enumerate(self.entries):
            if str(e.path) == str(path) or library.same_file(e.path, path):
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        e = self.selected()
        self.load_button.setEnabled(bool(e and e.usable))
        self.delete_button.setEnabled(bool(e and not e.bundled))

    def _load_selected(self) -> None:
        e = self.selected()
        if e is not None and e.usable:
            self.load_requested.emit(str(e.path))

    def _open_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Open a GGUF model"), str(Path.home()),
                                              tr("GGUF models (*.gguf);;All files (*)"))
        if path:
            self.open_requested.emit(path)

    def _delete_selected(self) -> None:
        e = self.selected()
        if e is None or e.bundled:
            return
        text = (tr("Delete %1 from the models folder? The file is removed from disk.") if e.in_library
                else tr("Remove %1 from the list? The file itself stays where it is.")).replace("%1", e.path.name)
        confirm(self, tr("Delete model"), text, lambda: self.delete_requested.emit(str(e.path)), tr("Delete"))

    # ------------------------------------------------------------ get a model

    def open_get_model(self, memory: tuple[int | None, int] | None = None) -> GetModelDialog:
        """The Get a model window (made on first use; ``memory``: free RAM and VRAM, measured when None)."""
        if self.get_dialog is None:
            d = GetModelDialog(self, self.type_combo.currentText(), memory)
            d.addActions(self.actions())  # the app's shortcuts (given to this window) work there too
            d.load_requested.connect(self.load_requested)
            d.pulled.connect(self.imported)
            d.busy.connect(lambda busy: self.import_button.setEnabled(not busy and self.import_job is None))
            d.blocked_by = lambda: tr("A model folder is being imported: wait until it has finished.") \
                if self.import_job is not None else ""
            self.get_dialog = d
        self.get_dialog.show()
        self.get_dialog.raise_()
        return self.get_dialog

    @property
    def job(self):
        """The conversion running now: an import, or a Get a model download (quitting stops either)."""
        if self.import_job is not None:
            return self.import_job
        return self.get_dialog.job if self.get_dialog is not None else None

    @job.setter
    def job(self, value: ImportJob | None) -> None:
        self.import_job = value

    # ------------------------------------------------------------ import

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Choose a Hugging Face model folder"), str(Path.home()))
        if folder:
            self.start_import(folder, self.type_combo.currentText())

    def start_import(self, folder: str | Path, out_type: str) -> ImportJob | None:
        if self.job is not None:
            return None
        try:
            target = library.import_target(Path(folder), out_type)
        except OSError as e:  # the models folder cannot be created or looked at
            where = e.filename or paths.data_dir(create=False) / "models"
            show_error(self, tr("Import failed"), tr("The models folder %1 cannot be used: %2")
                       .replace("%1", str(where)).replace("%2", e.strerror or str(e)))
            return None
        self.job = ImportJob(folder, target, out_type, self)
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(self._on_cancelled)
        self.job.ended.connect(self._on_ended)
        self.import_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, 0)  # busy until the first progress report
        self.stage_label.setText(tr("Reading %1…").replace("%1", Path(folder).name))
        self.job.start()
        return self.job

    def cancel_import(self) -> None:
        if self.import_job is None and self.get_dialog is not None and self.get_dialog.job is not None:
            self.get_dialog.cancel()
            return
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.stage_label.setText(tr("Cancelling…"))

    def stop_import(self, timeout_ms: int = 10_000) -> bool:
        """Cancel the import and wait until it has ended and cleaned up (before quitting)."""
        job = self.job
        if job is None:
            return True
        self.cancel_import()
        return job.wait(timeout_ms)

    def _on_progress(self, stage: str, done: int, total: int, detail: str) -> None:
        job = self.import_job
        if job is None or job.flag.is_set():
            return
        # One bar over every stage (its plan weighs them by what they cost): it never goes back.
        self.stage_label.setText(progress_line(tr(STAGES.get(stage, stage)), job.plan))
        self.progress.setRange(0, 1000)
        self.progress.setValue(job.plan.permille)

    def _on_finished(self, result: ImportResult) -> None:
        self.last_result = result
        self.progress.setRange(0, 1000)
        self.progress.setValue(1000)
        self.stage_label.setText(tr("Imported %1").replace("%1", result.path.name))
        verdict = (tr("Tokenizer parity: exact — llama.cpp tokenizes exactly like the original model.")
                   if result.parity_exact else
                   tr("Tokenizer parity: not exact — Hanashi will tokenize with the model's own "
                      "sentencepiece model, embedded in the file.") if result.parity_exact is False else "")
        text = tr("%1 was converted to %2 (%3 family).").replace("%1", result.path.name) \
            .replace("%2", result.out_type).replace("%3", family_text(result.family))
        if result.parity.state != "unmeasured":
            verdict += "\n" + parity_summary(result.parity)
        if current() == "en":  # the converter's own report in full
            show_info(self, tr("Import finished"), f"{text}\n\n{verdict}\n\n{result.parity_report}".strip())
        else:  # its report (English, with the texts that differ) under Show Details…
            show_info(self, tr("Import finished"), f"{text}\n\n{verdict}".strip(), result.parity_report)
        self.imported.emit(str(result.path))

    def _on_failed(self, error: Exception) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.stage_label.setText(tr("Import failed"))
        show_error(self, tr("Import failed"), error, lead=tr("The folder could not be converted."))

    def _on_cancelled(self) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.stage_label.setText(tr("Import cancelled; nothing was written."))

    def _on_ended(self) -> None:
        if self.job is not None:
            self.job.deleteLater()
        self.job = None
        self.import_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    # ------------------------------------------------------------ language

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Model library"))
        self.help.setText(tr(
            "<b>Add a model.</b> Hanashi runs GGUF files. The tiny demo model is always here, but it only "
            "knows a few answers. For real conversations, download a model folder from Hugging Face "
            "(for example <i>rinna/japanese-gpt-neox-3.6b-instruction-ppo</i>: the safetensors weights, "
            "config.json, spiece.model and the tokenizer files), then choose <i>Import folder…</i> below: "
            "Hanashi converts and quantizes it and checks its tokenizer. A GGUF made elsewhere can be "
            "opened directly with <i>Open GGUF…</i>. Easiest of all: <i>Get a model…</i> downloads a model "
            "from the Hugging Face Hub, converts it and checks it in one step."))
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self.get_button.setText(tr("Get a model…"))
        self.load_button.setText(tr("Load"))
        self.open_button.setText(tr("Open GGUF…"))
        self.delete_button.setText(tr("Delete"))
        try:
            folder = str(paths.models_dir())
        except OSError as e:
            folder = f"{paths.data_dir(create=False) / 'models'} ({e.strerror or e})"
        self.folder_label.setText(tr("Models folder: %1").replace("%1", folder))
        self.import_box.setTitle(tr("Import a Hugging Face folder"))
        self.type_label.setText(tr("Quantization:"))
        self.import_button.setText(tr("Import folder…"))
        self.cancel_button.setText(tr("Cancel"))
        if self.entries:
            self.refresh(self.entries, self.loaded_path)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def closeEvent(self, event) -> None:
        if self.import_job is not None:
            self.cancel_import()
        super().closeEvent(event)
