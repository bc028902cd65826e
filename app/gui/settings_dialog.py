"""App settings: GPU layers (auto / all / a number), context size, threads, language, theme.

GPU layers can only be chosen where llama.cpp can offload to a GPU; elsewhere the setting is
shown disabled (its saved value kept) with the reason beside it.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QFormLayout, QHBoxLayout, QLabel, QSpinBox,
                               QVBoxLayout, QWidget)

from app import gpu_status
from app.engine.threads import default_choice
from app.gpu_status import GpuStatus
from app.settings import Settings

from .dialogs import ok_cancel_buttons
from .gpu_notice import offload_reason
from .i18n import LANGUAGES, N_, tr

GPU_MODES = (("auto", N_("Automatic (as many as fit)")), ("all", N_("All layers")), ("n", N_("A number of layers")))
THEMES = (("system", N_("Follow the system")), ("light", N_("Light")), ("dark", N_("Dark")))


class SettingsDialog(QDialog):
    """Edits a copy of the settings; ``applied`` carries the new Settings when OK is pressed."""

    applied = Signal(object)

    def __init__(self, settings: Settings, parent: QWidget | None = None, gpu: GpuStatus | None = None):
        super().__init__(parent)
        self.setObjectName("settings-dialog")
        self.setModal(False)
        self.original = settings
        self.gpu = gpu_status.current() if gpu is None else gpu
        self.gpu_mode = QComboBox(self)
        self.gpu_mode.setEnabled(self.gpu.offload)
        self.gpu_layers = QSpinBox(self)
        self.gpu_layers.setRange(0, 999)
        self.gpu_mode.currentIndexChanged.connect(lambda _: self.gpu_layers.setEnabled(self._layers_editable()))
        self.gpu_reason = QLabel(self)
        self.gpu_reason.setObjectName("gpu-reason")
        self.gpu_reason.setWordWrap(True)
        self.gpu_reason.setMinimumWidth(self.gpu_reason.fontMetrics().averageCharWidth() * 48)
        self.gpu_reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.gpu_reason.setVisible(not self.gpu.offload)
        gpu_row = QHBoxLayout()
        gpu_row.addWidget(self.gpu_mode, 1)
        gpu_row.addWidget(self.gpu_layers)
        gpu_field = QVBoxLayout()
        gpu_field.addLayout(gpu_row)
        gpu_field.addWidget(self.gpu_reason)
        self.n_ctx = QSpinBox(self)
        self.n_ctx.setRange(0, 131072)
        self.n_ctx.setSingleStep(256)
        self.threads = QSpinBox(self)
        self.threads.setRange(0, 256)
        self.language = QComboBox(self)
        self.theme = QComboBox(self)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.form = QFormLayout()
        self.labels = [QLabel(self) for _ in range(5)]
        self.labels[0].setEnabled(self.gpu.offload)
        for label, field in zip(self.labels, (gpu_field, self.n_ctx, self.threads, self.language, self.theme)):
            self.form.addRow(label, field)
        self.buttons = ok_cancel_buttons(self)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.retranslate()
        self.load(settings)

    def _gpu_mode(self) -> str:
        return self.gpu_mode.currentData() or "auto"

    def _layers_editable(self) -> bool:
        return self.gpu.offload and self._gpu_mode() == "n"

    def load(self, s: Settings) -> None:
        mode = s.gpu_layers if s.gpu_layers in ("auto", "all") else "n"
        self.gpu_mode.setCurrentIndex([m for m, _ in GPU_MODES].index(mode))
        self.gpu_layers.setValue(s.gpu_layers if isinstance(s.gpu_layers, int) else 0)
        self.gpu_layers.setEnabled(self._layers_editable())
        self.n_ctx.setValue(s.n_ctx)
        self.threads.setValue(s.threads)
        self.language.setCurrentIndex(max(0, self.language.findData(s.language)))
        self.theme.setCurrentIndex(max(0, self.theme.findData(s.theme)))

    def result_settings(self) -> Settings:
        mode = self._gpu_mode()
        gpu = self.gpu_layers.value() if mode == "n" else mode
        return dataclasses.replace(self.original, gpu_layers=gpu, n_ctx=self.n_ctx.value(),
                                   threads=self.threads.value(), language=self.language.currentData(),
                                   theme=self.theme.currentData())

    def accept(self) -> None:
        self.applied.emit(self.result_settings())
        super().accept()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Settings"))
        texts = (tr("GPU layers:"), tr("Context size:"), tr("CPU threads:"), tr("Language:"), tr("Theme:"))
        for label, text in zip(self.labels, texts):
            label.setText(text)
        for combo, items in ((self.gpu_mode, GPU_MODES), (self.theme, THEMES)):
            current = combo.currentIndex()
            combo.clear()
            for value, text in items:
                combo.addItem(tr(text), value)
            combo.setCurrentIndex(max(0, current))
        current = self.language.currentIndex()
        self.language.clear()
        self.language.addItem(tr("Follow the system"), "system")
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, current))
        reason = offload_reason(self.gpu)
        self.gpu_reason.setText(reason)
        for widget in (self.gpu_mode, self.gpu_layers):
            widget.setToolTip(reason)
        self.n_ctx.setSpecialValueText(tr("The model's (up to 4096)"))
        auto = default_choice(busy=0.0)
        text = tr("Automatic (%1: %2 physical cores)")
        self.threads.setSpecialValueText(text.replace("%1", str(auto.decode)).replace("%2", str(auto.physical)))
        self.threads.setToolTip(tr("Automatic: one thread per physical core (hyperthreads do not count). Cores "
                                   "that other programs keep busy are left to them: the load is looked at when "
                                   "the model is loaded and again before every reply."))
        self.note.setText(tr("GPU layers, context size and threads apply when the model is loaded again "
                             "(Hanashi reloads it when you press OK)."))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
