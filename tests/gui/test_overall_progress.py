"""One progress bar over a whole import (and a whole Get a model…): the real converter's stages,
each named with its step, the bar never going back, full at the end."""

from __future__ import annotations

from app.gui.progress_plan import ProgressPlan

from .helpers import REPLY_TIMEOUT_MS
from .test_get_model import MODEL, PULL_TIMEOUT_MS, hub, repo_folder  # noqa: F401 - fixtures


def _watch(job, bar, label):
    """Every report as the window shows it: (stage, bar value, stage text)."""
    seen: list[tuple[str, int, str]] = []
    job.progress.connect(lambda stage, *_: seen.append((stage, bar.value(), label.text())))
    return seen


def test_an_import_fills_one_bar_from_the_probes_to_the_quantizing(qtbot, make_window, chat_gguf, tiny):
    folder = tiny.neox(name="tiny-import-japanese-gpt-neox-instruction-sft")
    window = make_window(chat_gguf)
    lib = window.open_library()
    values: list[int] = []
    lib.progress.valueChanged.connect(values.append)
    job = lib.start_import(folder, "q8_0")
    assert isinstance(job.plan, ProgressPlan) and job.plan.stages == ("parity", "write", "quantize")
    seen = _watch(job, lib.progress, lib.stage_label)
    with qtbot.waitSignal(job.finished, timeout=REPLY_TIMEOUT_MS * 3):
        pass
    stages = [s for s, *_ in seen]
    assert {"parity", "write", "quantize"} <= set(stages)
    assert stages.index("quantize") > stages.index("write") > stages.index("parity")
    # The bar the user sees never goes back — not between stages (writing ends, quantizing starts
    # from 0 in its own units), not within one — and it is full at the end.
    assert values == sorted(values), values
    shown = [v for _, v, _ in seen]
    assert shown == sorted(shown) and 0 < shown[0] < 1000
    assert lib.progress.maximum() == 1000 and lib.progress.value() == 1000
    # Each report names its stage and which step of the three it is.
    texts = {s: t for s, _, t in seen}
    assert texts["parity"].startswith("Checking the tokenizer… (step 1 of 3)")
    assert texts["write"].startswith("Writing the GGUF file… (step 2 of 3)")
    assert texts["quantize"].startswith("Quantizing… (step 3 of 3)")
    qtbot.waitUntil(lambda: lib.job is None)


def test_the_time_left_is_shown_once_the_pace_is_known(qtbot):
    """The window's own text for a plan that has run a while (the tiny import is too quick for one)."""
    from app.gui.pull_worker import progress_line

    now = [0.0]
    plan = ProgressPlan.for_import("q8_0", source_bytes=2**30, clock=lambda: now[0])
    plan.update("parity", 1, 1)
    now[0] = 30.0
    plan.update("write", 2**29, 2**30)
    text = progress_line("Writing the GGUF file…", plan)
    assert text.startswith("Writing the GGUF file… (step 2 of 3) — about ")
    assert text.endswith(" left") and ("min" in text or " s " in text)


def test_get_a_model_fills_one_bar_from_the_download_to_the_quantizing(qtbot, make_window, hub):  # noqa: F811
    window = make_window()
    lib = window.open_library()
    lib.get_button.click()
    dialog = lib.get_dialog
    assert dialog.select(MODEL)
    dialog.type_combo.setCurrentText("q8_0")
    values: list[int] = []
    dialog.progress.valueChanged.connect(values.append)
    dialog.download_button.click()
    job = dialog.job
    assert job.plan.stages == ("download", "parity", "write", "quantize")
    seen = _watch(job, dialog.progress, dialog.stage_label)
    with qtbot.waitSignal(job.finished, timeout=PULL_TIMEOUT_MS):
        pass
    stages = [s for s, *_ in seen]
    assert stages[0] == "download" and "quantize" in stages
    assert values == sorted(values), values
    assert dialog.progress.value() == dialog.progress.maximum() == 1000
    texts = {s: t for s, _, t in seen}
    assert "(step 1 of 4)" in texts["download"] and "(step 4 of 4)" in texts["quantize"]
    # The download gets its share of the bar, not all of it: the conversion is still to come.
    last_download = max(v for s, v, _ in seen if s == "download")
    assert 0 < last_download < 1000
    qtbot.waitUntil(lambda: dialog.job is None)
