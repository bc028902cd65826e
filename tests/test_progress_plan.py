"""The overall progress of an import or a Get: one bar across the stages, weighted by what each
stage costs, never going back, ending at 100 %, with a time left once the pace is known."""

from __future__ import annotations

from app.gui.progress_plan import PROBE_COST, PROBES, ProgressPlan, folder_weight_bytes

MiB = 2**20


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _run(plan: ProgressPlan, reports) -> list[float]:
    return [plan.update(*r) for r in reports]


def _stage_reports(stage: str, total: int, steps: int = 4):
    return [(stage, total * i // steps, total) for i in range(1, steps + 1)]


def test_import_stages_share_one_bar_by_their_cost_and_never_go_back():
    source = 800 * MiB
    plan = ProgressPlan.for_import("q4_k_m", source_bytes=source)
    assert plan.stages == ("parity", "write", "quantize")
    values = _run(plan, [("parity", 240, 242), ("parity", 242, 242)])
    # Two probes of a fixed cost each, against writing and quantizing the checkpoint's bytes.
    parity_share = PROBES * PROBE_COST / (PROBES * PROBE_COST + 2 * source)
    assert abs(values[-1] - parity_share) < 1e-9
    # Writing: the bytes the converter reports (the f16 file), then quantizing those same bytes.
    write_total = 700 * MiB
    values += _run(plan, _stage_reports("write", write_total))
    after_write = values[-1]
    assert abs(after_write - (parity_share + (1 - parity_share) / 2)) < 1e-9
    # Quantizing reports the output's size (smaller) from 0 again: the bar goes on from where it was.
    values += _run(plan, _stage_reports("quantize", 200 * MiB))
    assert values == sorted(values)
    assert values[-1] == 1.0 and plan.permille == 1000


def test_a_wrong_estimate_never_makes_the_bar_jump_back():
    plan = ProgressPlan.for_import("q8_0", source_bytes=10 * MiB)  # far too small: the real write is larger
    values = _run(plan, [("parity", 5, 10)])
    values += _run(plan, _stage_reports("write", 4000 * MiB, steps=10))
    values += _run(plan, _stage_reports("quantize", 2000 * MiB, steps=10))
    assert values == sorted(values) and values[-1] == 1.0


def test_stages_that_report_late_or_repeat_do_not_move_the_bar_back():
    plan = ProgressPlan.for_import("q8_0", source_bytes=100 * MiB)
    plan.update("write", 50 * MiB, 100 * MiB)
    mid = plan.fraction
    assert plan.update("parity", 10, 10) == mid  # a stage already over
    assert plan.update("write", 10 * MiB, 100 * MiB) == mid  # a smaller count within the stage
    assert plan.update("something-else", 1, 2) == mid  # a stage the plan does not know
    assert plan.update("write", 10, 0) == mid  # a zero total


def test_a_float_type_has_no_quantizing_stage_and_ends_with_the_write():
    plan = ProgressPlan.for_import("f16", source_bytes=100 * MiB)
    assert plan.stages == ("parity", "write")
    values = _run(plan, [("parity", 1, 1)] + _stage_reports("write", 100 * MiB))
    assert values == sorted(values) and values[-1] == 1.0


def test_a_pull_weighs_the_download_against_the_conversion():
    plan = ProgressPlan.for_pull("q4_k_m")
    assert plan.stages == ("download", "parity", "write", "quantize")
    download = 1000 * MiB
    values = _run(plan, _stage_reports("download", download))
    # The download's bytes cost more per byte than converting them; the conversion is estimated
    # from the download's size (the weights are most of it).
    costs = {"download": 2 * download, "parity": PROBES * PROBE_COST, "write": download, "quantize": download}
    assert abs(values[-1] - costs["download"] / sum(costs.values())) < 1e-9
    values += _run(plan, [("parity", 242, 242)])  # exact at the first probe: the second never runs
    values += _run(plan, _stage_reports("write", 2000 * MiB))
    values += _run(plan, _stage_reports("quantize", 600 * MiB))
    assert values == sorted(values) and values[-1] == 1.0


def test_a_pull_with_everything_cached_starts_at_the_conversion():
    plan = ProgressPlan.for_pull("q8_0")
    values = _run(plan, [("parity", 1, 1)] + _stage_reports("write", 10 * MiB) + _stage_reports("quantize", 5 * MiB))
    assert values == sorted(values) and values[-1] == 1.0


def test_time_left_follows_the_pace_of_the_last_seconds():
    clock = Clock()
    plan = ProgressPlan(("write",), source_bytes=100, clock=clock)
    plan.update("write", 10, 100)
    assert plan.eta() is None  # one report: no pace yet
    clock.now += 0.5
    plan.update("write", 15, 100)
    assert plan.eta() is None  # less than a second of progress
    clock.now += 0.5
    plan.update("write", 20, 100)  # 10 % per second
    assert abs(plan.eta() - 8.0) < 1e-9
    for done in range(21, 51):  # slower now: 1 % per second, the old pace forgotten after the window
        clock.now += 1
        plan.update("write", done, 100)
    assert abs(plan.eta() - (1 - plan.fraction) / 0.01) < 1e-6
    clock.now += 1
    plan.finish()
    assert plan.fraction == 1.0 and plan.eta() is None


def test_the_checkpoint_size_counts_weight_files_only_and_never_raises(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"x" * 1000)
    (tmp_path / "pytorch_model-00001.bin").write_bytes(b"x" * 500)
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "weights.safetensors").mkdir()  # a folder named like a weight file
    (tmp_path / "loop.safetensors").symlink_to(tmp_path / "loop.safetensors")  # a link loop
    import os

    os.mkfifo(tmp_path / "pipe.safetensors")  # never opened: its size is 0
    assert folder_weight_bytes(tmp_path) == 1500
    assert folder_weight_bytes(tmp_path / "missing") == 0
    assert folder_weight_bytes(tmp_path / "config.json") == 0


def test_the_measured_size_replaces_the_estimate_only_before_the_first_report():
    a = ProgressPlan.for_import("q8_0")
    a.set_source_bytes(100 * MiB)
    b = ProgressPlan.for_import("q8_0", source_bytes=100 * MiB)
    assert a.update("parity", 1, 1) == b.update("parity", 1, 1)
    a.set_source_bytes(10_000 * MiB)  # too late: the plan is running
    assert a.cost["write"] == b.cost["write"]
