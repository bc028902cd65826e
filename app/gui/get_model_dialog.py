"""Get a model: the catalogue of models Hanashi can download, with the quantization recommended for
this machine; or any other Hugging Face repo id. Download, convert and quantize run on a worker
(``pull_worker``) with one progress view; the parity report and "Load now" come at the end.

Opening the dialog makes no network call: the catalogue is built in (``app.catalogue``) and the
machine's free memory is measured locally.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QPlainTextEdit, QProgressBar, QPushButton, QSizePolicy, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from app import catalogue, paths
from app.catalogue import CatalogueEntry, Recommendation, RepoIdError
from app import library
from app.library import ParityFacts, human_size
from quantize.convert import OUTPUT_TYPES

from .catalogue_texts import COLUMNS, FAMILIES, STAGES, japanese, recommendation_text  # noqa: F401
from .i18n import current, tr
from .model_texts import family_text, parity_summary
from .pull_worker import PullJob, RateMeter, error_text, progress_line

class GetModelDialog(QDialog):
    load_requested = Signal(str)  # the new GGUF's path: "Load now"
    pulled = Signal(str)  # a new GGUF is in the models folder
    busy = Signal(bool)  # a download/conversion started (True) or ended (False)

    def __init__(self, parent: QWidget | None = None, out_type: str = "q4_k_m",
                 memory: tuple[int | None, int] | None = None):
        super().__init__(parent)
        self.setObjectName("get-model")
        self.setModal(False)
        self.resize(980, 640)
        self.ram, self.vram = memory if memory is not None else catalogue.machine_memory()
        self.entries = list(catalogue.SEEDS)
        self.job: PullJob | None = None
        self.result = None  # the last PullResult
        self.error: Exception | None = None
        self.meter = RateMeter()
        self.blocked_by = lambda: ""  # why Download must wait now (another conversion is running), or ""

        self.machine_label = QLabel(self)
        self.machine_label.setWordWrap(True)
        self.table = QTableWidget(len(self.entries), len(COLUMNS), self)
        self.table.setObjectName("catalogue")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.itemSelectionChanged.connect(self._on_row)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.detail.setObjectName("catalogue-detail")

        self.other_label = QLabel(self)
        self.repo_edit = QLineEdit(self)
        self.repo_edit.setObjectName("repo-id")
        self.repo_edit.setPlaceholderText("ORG/NAME")
        self.repo_edit.textEdited.connect(self._on_typed)
        self.repo_error = QLabel(self)
        self.repo_error.setObjectName("repo-id-error")
        self.repo_error.setWordWrap(True)
        self.repo_error.setStyleSheet("color: #c62828;")
        self.repo_error.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.type_label = QLabel(self)
        self.type_combo = QComboBox(self)
        self.type_combo.addItems(list(OUTPUT_TYPES))
        self.type_combo.setCurrentText(out_type if out_type in OUTPUT_TYPES else "q4_k_m")
        self.download_button = QPushButton(self)
        self.download_button.setDefault(True)
        self.download_button.clicked.connect(self.start)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)

        self.progress_box = QGroupBox(self)
        self.stage_label = QLabel(self.progress_box)
        self.stage_label.setWordWrap(True)
        self.progress = QProgressBar(self.progress_box)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.bytes_label = QLabel(self.progress_box)
        self.resume_note = QLabel(self.progress_box)
        self.resume_note.setWordWrap(True)
        self.report = QPlainTextEdit(self.progress_box)
        self.report.setObjectName("parity-report")
        self.report.setReadOnly(True)
        self.report.setVisible(False)
        self.load_button = QPushButton(self.progress_box)
        self.load_button.setVisible(False)
        self.load_button.clicked.connect(self._load_now)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.close)

        row = QHBoxLayout()
        row.addWidget(self.other_label)
        row.addWidget(self.repo_edit, 1)
        row.addWidget(self.type_label)
        row.addWidget(self.type_combo)
        row.addWidget(self.download_button)
        row.addWidget(self.cancel_button)
        box = QVBoxLayout(self.progress_box)
        box.addWidget(self.stage_label)
        box.addWidget(self.progress)
        box.addWidget(self.bytes_label)
        box.addWidget(self.resume_note)
        box.addWidget(self.report, 1)
        box.addWidget(self.load_button, 0, Qt.AlignmentFlag.AlignLeft)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.machine_label)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.detail)
        layout.addLayout(row)
        layout.addWidget(self.repo_error)
        layout.addWidget(self.progress_box, 1)
        layout.addLayout(bottom)
        self.retranslate()
        if self.entries:
            self.table.selectRow(0)

    # ------------------------------------------------------------ choosing

    def recommendation(self, entry: CatalogueEntry) -> Recommendation:
        return catalogue.recommend(entry, self.ram, self.vram)

    def selected_entry(self) -> CatalogueEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.entries[rows[0].row()] if rows else None

    def select(self, repo_id: str) -> bool:
        """Select a catalogue row (False when ``repo_id`` is not in the catalogue)."""
        for row, e in enumerate(self.entries):
            if e.repo_id.lower() == repo_id.strip().lower():
                self.table.selectRow(row)
                return True
        return False

    def _on_row(self) -> None:
        e = self.selected_entry()
        if e is None:
            return
        if self.repo_edit.text().strip().lower() != e.repo_id.lower():
            self.repo_edit.clear()
        self.repo_error.clear()
        rec = self.recommendation(e)
        if rec.out_type:
            self.type_combo.setCurrentText(rec.out_type)
        self._show_detail(e, rec)
        self._update_buttons()

    def _show_detail(self, e: CatalogueEntry, rec: Recommendation) -> None:
        desc = e.description_ja if japanese() else e.description
        size = tr("Download: %1 (%2)").replace("%1", e.download_text()) \
            .replace("%2", tr("exact") if e.download_exact else tr("approximate: not stated on the card"))
        self.detail.setText(f"<b>{e.repo_id}</b> — {desc}<br>{recommendation_text(e, rec)}<br>{size}")

    def _on_typed(self, text: str) -> None:
        self.repo_error.clear()
        if catalogue.find(text) is not None:
            self.select(text)
            return
        self.table.clearSelection()
        if text.strip():
            self.detail.setText(tr("Hanashi checks the model's files when the download starts; models whose "
                                   "architecture it cannot run are refused before any weights are downloaded."))
        self._update_buttons()

    def chosen_repo(self) -> str | None:
        """The repo id Download would get, or None (the reason is shown under the field)."""
        typed = self.repo_edit.text()
        if typed.strip():
            try:
                repo = catalogue.parse_repo_id(typed)
            except RepoIdError:
                text = tr("“%1” is not a repo id: write it as ORG/NAME (letters, digits, '-', '_' and '.'), "
                          "for example rinna/japanese-gpt-neox-3.6b-instruction-ppo.")
                self.repo_error.setText(text.replace("%1", typed.strip()))
                return None
            entry = catalogue.find(repo)
        else:
            entry = self.selected_entry()
            repo = entry.repo_id if entry else None
        if entry is not None and not entry.supported:
            self.repo_error.setText(recommendation_text(entry, self.recommendation(entry)))
            return None
        return repo

    def _update_buttons(self) -> None:
        e = self.selected_entry()
        can = self.job is None and (bool(self.repo_edit.text().strip()) or bool(e and e.supported))
        self.download_button.setEnabled(can)
        self.table.setEnabled(self.job is None)
        self.repo_edit.setEnabled(self.job is None)
        self.type_combo.setEnabled(self.job is None)

    # ------------------------------------------------------------ downloading

    def start(self) -> PullJob | None:
        if self.job is not None:
            return None
        repo = self.chosen_repo()
        if repo is None:
            return None
        if self.blocked_by():
            self.repo_error.setText(self.blocked_by())
            return None
        try:
            models = paths.models_dir()
        except OSError as e:
            self._fail_text(tr("The models folder cannot be used.") + "\n\n" + f"{e.filename or ''}: "
                            f"{e.strerror or e}".lstrip(": "))
            return None
        self.result = self.error = None
        self.job = PullJob(repo, self.type_combo.currentText(), models, parent=self)
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(self._on_cancelled)
        self.job.ended.connect(self._on_ended)
        self.report.clear()
        self.report.setVisible(False)
        self.load_button.setVisible(False)
        self.repo_error.clear()
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, 0)  # busy until the first report
        self.stage_label.setText(tr("Looking up %1 on the Hugging Face Hub…").replace("%1", repo))
        self.bytes_label.clear()
        self.resume_note.setText(tr("Cancel stops at once. What was downloaded is kept: Download again "
                                    "continues where it stopped."))
        self.job.start()
        self._update_buttons()
        self.busy.emit(True)
        return self.job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.stage_label.setText(tr("Cancelling…"))

    def stop(self, timeout_ms: int = 10_000) -> bool:
        """Cancel and wait until the job has ended (before quitting)."""
        job = self.job
        if job is None:
            return True
        self.cancel()
        return job.wait(timeout_ms)

    def _on_progress(self, stage: str, done: int, total: int, detail: str) -> None:
        if self.job is None or self.job.flag.is_set():
            return
        # One bar from the download to the last conversion stage (``job.plan``): it never goes back.
        shown = tr(STAGES[stage]).replace("%1", detail) if stage in STAGES else stage
        self.stage_label.setText(progress_line(shown, self.job.plan))
        self.progress.setRange(0, 1000)
        self.progress.setValue(self.job.plan.permille)
        if stage == "parity":
            self.bytes_label.setText(parity_summary(ParityFacts("partial", done, total)) if total > 0 else "")
            return
        self.meter.update(stage, done)
        text = tr("%1 of %2").replace("%1", human_size(done)).replace("%2", human_size(total))
        rate = self.meter.rate()
        if rate > 0:
            text += " — " + tr("%1/s").replace("%1", human_size(int(rate)))
        self.bytes_label.setText(text)

    def _reset_progress(self, value: int) -> None:
        self.progress.setRange(0, 1000)
        self.progress.setValue(1000 * value)
        self.bytes_label.clear()
        self.resume_note.clear()

    def _on_finished(self, result) -> None:
        self.result = result
        self._reset_progress(1)
        done = (tr("%1 is already in the models folder (same revision and type).") if result.up_to_date
                else tr("%1 is ready: %2, %3 family.")).replace("%1", Path(result.path).name) \
            .replace("%2", result.out_type).replace("%3", family_text(result.family))
        self.stage_label.setText(done)
        verdict = (tr("Tokenizer parity: exact — llama.cpp tokenizes exactly like the original model.")
                   if result.parity_exact else
                   tr("Tokenizer parity: not exact — Hanashi will tokenize with the model's own "
                      "sentencepiece model, embedded in the file.") if result.parity_exact is False else "")
        facts = library.read_entry(Path(result.path)).parity_facts
        if facts.state != "unmeasured":
            verdict += "\n" + parity_summary(facts)
        report = result.parity_report
        if report and current() != "en":  # the converter's report is English: say so above it
            report = tr("The converter's report (in English):") + "\n" + report
        self.report.setPlainText(f"{verdict}\n\n{report}".strip())
        self.report.setVisible(bool(self.report.toPlainText()))
        self.load_button.setVisible(True)
        self.pulled.emit(str(result.path))

    def _on_failed(self, error: Exception) -> None:
        self.error = error
        self._fail_text(error_text(self.job.repo_id if self.job else "", error))

    def _fail_text(self, text: str) -> None:
        self._reset_progress(0)
        self.stage_label.setText(tr("The model could not be downloaded."))
        self.report.setPlainText(text)
        self.report.setVisible(True)

    def _on_cancelled(self) -> None:
        self._reset_progress(0)
        self.stage_label.setText(tr("Cancelled. Nothing was added to the models folder; what was downloaded "
                                    "is kept, and Download continues from there."))

    def _on_ended(self) -> None:
        if self.job is not None:
            self.job.deleteLater()
        self.job = None
        self.cancel_button.setEnabled(False)
        self._update_buttons()
        self.busy.emit(False)

    def _load_now(self) -> None:
        if self.result is not None:
            self.load_requested.emit(str(self.result.path))

    # ------------------------------------------------------------ language

    def _fill_table(self) -> None:
        grey = QBrush(self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        for row, e in enumerate(self.entries):
            rec = self.recommendation(e)
            why = recommendation_text(e, rec)
            shown = rec.out_type or (tr("Not supported yet") if rec.where == "unsupported" else tr("Too large"))
            cells = (e.repo_id, e.params_text, e.download_text(), e.licence,
                     tr(FAMILIES.get(e.family, e.family)), shown)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                desc = e.description_ja if japanese() else e.description
                item.setToolTip(why if col == len(cells) - 1 else desc if col == 0 else text)
                if not e.supported:
                    item.setForeground(grey)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Get a model"))
        if self.ram is None:
            ram = tr("this system does not report its free memory")
        else:
            ram = tr("%1 of RAM free").replace("%1", human_size(self.ram))
        gpu = (tr("%1 free on the GPU").replace("%1", human_size(self.vram)) if self.vram
               else tr("no GPU that Hanashi can use"))
        self.machine_label.setText(tr("This computer: %1, %2. Models are downloaded from the Hugging Face Hub "
                                      "when you press Download.").replace("%1", ram).replace("%2", gpu))
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self._fill_table()
        self.other_label.setText(tr("Repo id:"))
        self.type_label.setText(tr("Quantization:"))
        self.download_button.setText(tr("Download"))
        self.cancel_button.setText(tr("Cancel"))
        self.progress_box.setTitle(tr("Progress"))
        self.load_button.setText(tr("Load now"))
        self.close_button.setText(tr("Close"))
        e = self.selected_entry()
        if e is not None:
            self._show_detail(e, self.recommendation(e))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def closeEvent(self, event) -> None:
        if self.job is not None:
            self.cancel()
        super().closeEvent(event)

