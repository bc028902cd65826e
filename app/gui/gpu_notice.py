"""Telling the user when the GPU can't be used: a one-time banner and the Settings dialog's reason.

The banner appears when an NVIDIA GPU is present but this llama.cpp was built without GPU
offload, with the exact command (or download) that fixes it. It is shown once: the settings
remember that it was, so it does not come back at every start. Whether offload works at all is
``app.gpu_status``'s business; this module only words it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app import gpu_status
from app.gpu_status import FIX_DOWNLOAD, FIX_PIP, GpuStatus

from .i18n import tr


def banner_text(status: GpuStatus) -> str:
    """The banner's sentence for an NVIDIA GPU that this llama.cpp can't use."""
    if status.fix_kind == FIX_DOWNLOAD:
        return tr("Your NVIDIA GPU is not used: this build of Hanashi has no GPU support, so models run on "
                  "the CPU. To use the GPU, download the CUDA build of Hanashi.")
    if status.fix_kind == FIX_PIP:
        return tr("Your NVIDIA GPU is not used: llama.cpp was installed without GPU support, so models run "
                  "on the CPU. To reinstall it with CUDA (a long compile), run:")
    return tr("Your NVIDIA GPU is not used: llama.cpp was built without GPU support, so models run on the "
              "CPU. To build it with CUDA (a long compile), quit Hanashi and run:")


def offload_reason(status: GpuStatus) -> str:
    """Why the GPU-layers setting is off ("" when offload works)."""
    if status.offload:
        return ""
    if not status.nvidia_unused:
        return tr("This build of llama.cpp has no GPU support, so models run on the CPU.")
    if status.fix_kind == FIX_DOWNLOAD:
        return tr("This build of Hanashi has no GPU support, so models run on the CPU. To use your NVIDIA "
                  "GPU, download the CUDA build of Hanashi.")
    return tr("This build of llama.cpp has no GPU support, so models run on the CPU. To use your NVIDIA "
              "GPU, run:") + "\n" + status.fix_command


class GpuNotice(QFrame):
    """The banner at the top of the chat. ``check(status)`` shows it if it is due."""

    def __init__(self, main: QWidget, status: GpuStatus | None = None):
        super().__init__(main)
        self.setObjectName("gpu-notice")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.main = main  # the MainWindow: its settings say whether the banner was shown before
        self.status = GpuStatus(gpu_status.NO_GPU)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.command = QLabel(self)
        self.command.setObjectName("gpu-notice-command")
        self.command.setWordWrap(True)
        self.command.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.command.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                             | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.copy_button = QPushButton(self)
        self.copy_button.clicked.connect(self.copy_command)
        self.dismiss_button = QPushButton(self)
        self.dismiss_button.clicked.connect(self.dismiss)
        words = QVBoxLayout()
        words.addWidget(self.text)
        words.addWidget(self.command)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 12, 6)
        row.addLayout(words, 1)
        row.addWidget(self.copy_button)
        row.addWidget(self.dismiss_button)
        self.hide()
        self.check(gpu_status.current() if status is None else status)

    def check(self, status: GpuStatus) -> bool:
        """Show the banner for ``status`` if an NVIDIA GPU is unused and it was never shown; True if shown."""
        self.status = status
        self.retranslate()
        settings = self.main.settings
        if not status.nvidia_unused or settings.gpu_notice_seen:
            return False
        settings.gpu_notice_seen = True
        self.main._save_settings()
        self.show()
        return True

    def copy_command(self) -> None:
        QGuiApplication.clipboard().setText(self.status.fix_command)

    def dismiss(self) -> None:
        self.hide()

    def retranslate(self) -> None:
        self.text.setText(banner_text(self.status) if self.status.nvidia_unused else "")
        self.command.setText(self.status.fix_command)
        self.command.setVisible(bool(self.status.fix_command))
        self.copy_button.setVisible(bool(self.status.fix_command))
        self.copy_button.setText(tr("Copy command"))
        self.dismiss_button.setText(tr("Dismiss"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
