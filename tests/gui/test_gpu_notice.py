"""The GPU notice and the GPU-layers setting, on real widgets. The NVIDIA GPU is a fake driver
tree given to ``gpu_status.detect``; llama.cpp's answer (no offload on a CPU build) is real."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QApplication

from app import gpu_status, paths
from app import settings as settings_io
from app.engine import hardware
from app.gpu_status import NO_GPU, OFFLOAD, GpuStatus
from app.gui.gpu_notice import offload_reason
from app.gui.settings_dialog import SettingsDialog

OFFLOAD_BUILD = hardware.supports_gpu_offload()


def unused_gpu(tmp_path, frozen: bool = False) -> GpuStatus:
    """What ``detect`` says on a machine whose NVIDIA driver is loaded but whose llama.cpp is CPU-only."""
    version = tmp_path / "root" / "proc" / "driver" / "nvidia" / "version"
    version.parent.mkdir(parents=True, exist_ok=True)
    version.write_text("NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15\n")
    status = gpu_status.detect(tmp_path / "root", nvidia_smi=None, offload=False, frozen=frozen)
    assert status.nvidia_unused
    return status


def saved_settings() -> dict:
    return json.loads(paths.settings_path().read_text(encoding="utf-8"))


def test_the_banner_is_shown_once_with_the_command_and_not_again(qtbot, make_window, tmp_path):
    status = unused_gpu(tmp_path)
    window = make_window()
    notice = window.gpu_notice
    real = gpu_status.current()
    assert notice.isHidden() != real.nvidia_unused  # what this machine shows on its own
    if not real.nvidia_unused:
        assert notice.check(status)
    assert notice.isVisible()
    assert "bash scripts/start.sh --cuda" in notice.command.text()
    assert notice.command.text() == notice.status.fix_command
    assert notice.text.text().startswith("Your NVIDIA GPU is not used")
    assert saved_settings()["gpu_notice_seen"] is True  # remembered as soon as it is shown
    notice.copy_button.click()
    assert QApplication.clipboard().text() == notice.status.fix_command
    notice.dismiss_button.click()
    assert notice.isHidden()
    window.close()

    again = make_window()
    assert again.settings.gpu_notice_seen
    assert not again.gpu_notice.check(status)
    assert again.gpu_notice.isHidden()


def test_the_packaged_app_says_to_download_the_cuda_build_in_japanese_too(qtbot, make_window, tmp_path):
    window = make_window(gpu_notice_seen=False)
    notice = window.gpu_notice
    assert notice.check(unused_gpu(tmp_path, frozen=True))
    assert "download the CUDA build of Hanashi" in notice.text.text()
    assert notice.command.isHidden() and notice.copy_button.isHidden()
    window.set_language("ja")
    qtbot.waitUntil(lambda: "CUDA 版の Hanashi" in notice.text.text())
    assert notice.dismiss_button.text() == "閉じる"


def test_no_banner_without_an_unused_nvidia_gpu(qtbot, make_window):
    window = make_window()
    window.settings.gpu_notice_seen = False
    for status in (GpuStatus(NO_GPU), GpuStatus(OFFLOAD)):
        assert not window.gpu_notice.check(status)
        assert window.gpu_notice.isHidden()
    assert window.settings.gpu_notice_seen is False


def test_gpu_layers_are_disabled_with_the_reason_on_this_build(qtbot, make_window):
    window = make_window(gpu_layers=12)
    dialog = window.open_settings()
    status = gpu_status.current()
    assert dialog.gpu_mode.isEnabled() == OFFLOAD_BUILD
    assert dialog.gpu_layers.isEnabled() == OFFLOAD_BUILD  # "a number of layers" is chosen
    assert dialog.gpu_reason.isVisible() != OFFLOAD_BUILD
    if not OFFLOAD_BUILD:
        assert dialog.gpu_reason.text() == offload_reason(status)
        assert "no GPU support" in dialog.gpu_reason.text()
        assert dialog.gpu_mode.toolTip() == dialog.gpu_reason.text()
        assert not dialog.labels[0].isEnabled()
    assert dialog.result_settings().gpu_layers == 12  # the saved choice is kept for a GPU build
    window.set_language("ja")
    if not OFFLOAD_BUILD:
        qtbot.waitUntil(lambda: "GPU に対応していない" in dialog.gpu_reason.text())
    dialog.close()


def test_the_reason_names_the_fix_when_an_nvidia_gpu_is_there(qtbot, tmp_path):
    status = unused_gpu(tmp_path)
    dialog = SettingsDialog(settings_io.Settings(gpu_layers="all"), gpu=status)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.gpu_mode.isEnabled() and not dialog.gpu_layers.isEnabled()
    assert dialog.gpu_reason.isVisible()
    assert dialog.gpu_reason.text().endswith("run:\n" + status.fix_command)
    assert dialog.result_settings().gpu_layers == "all"

    offload = SettingsDialog(settings_io.Settings(gpu_layers="auto"), gpu=GpuStatus(OFFLOAD))
    qtbot.addWidget(offload)
    offload.show()
    assert offload.gpu_mode.isEnabled() and not offload.gpu_layers.isEnabled()
    assert offload.gpu_reason.isHidden()
    offload.gpu_mode.setCurrentIndex(offload.gpu_mode.findData("n"))
    assert offload.gpu_layers.isEnabled()
