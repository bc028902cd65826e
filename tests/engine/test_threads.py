"""The thread-count policy: physical cores, affinity, the cores other programs keep busy (at load
and before each reply).

``choose`` is tested on this machine's real topology and on constructed ones (sysfs trees and
/proc/cpuinfo texts written to a temporary folder); the loader's default reaches llama.cpp.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from engine_helpers import ROOT

from app.engine import Engine, loader
from app.engine import threads as t
from quantize import llama_lib

DEMO = ROOT / "assets" / "models" / "hanashi-demo.gguf"


def fake_sysfs(root: Path, siblings: dict[int, str]) -> Path:
    """cpuN/topology/thread_siblings_list for each CPU (``siblings``: CPU → its list text)."""
    for cpu, text in siblings.items():
        topo = root / f"cpu{cpu}" / "topology"
        topo.mkdir(parents=True)
        (topo / "thread_siblings_list").write_text(text + "\n")
    return root


def ht_desktop(cores: int) -> dict[int, str]:
    """A desktop CPU with hyperthreading: CPU i and i+cores share a core (Linux's numbering)."""
    return {cpu: f"{cpu % cores},{cpu % cores + cores}" for cpu in range(2 * cores)}


# ------------------------------------------------------------------ this machine


def test_this_machine_sysfs_and_cpuinfo_agree_on_the_cores():
    cpus = t.usable_cpus()
    assert cpus and set(cpus) <= set(range(os.cpu_count() or 1))
    from_sysfs = t.sysfs_cores(cpus)
    from_cpuinfo = t.cpuinfo_cores(cpus)
    if from_sysfs is None and from_cpuinfo is None:
        pytest.fail("neither /sys/devices/system/cpu nor /proc/cpuinfo describe this machine's cores")

    def partition(core_of):
        groups: dict[object, set[int]] = {}
        for cpu, core in core_of.items():
            groups.setdefault(core, set()).add(cpu)
        return sorted(sorted(g) for g in groups.values())

    if from_sysfs is not None and from_cpuinfo is not None:
        assert partition(from_sysfs) == partition(from_cpuinfo)
    core_of = from_sysfs or from_cpuinfo
    choice = t.default_choice(busy=0.0)
    assert choice.physical == len(partition(core_of)) and choice.logical == len(cpus)
    assert choice.source == ("sysfs" if from_sysfs else "cpuinfo")
    assert 1 <= choice.decode <= choice.batch == choice.physical <= choice.logical
    assert choice.decode == choice.physical  # an idle machine: every physical core


def test_the_loader_default_reaches_llama_cpp():
    count = loader.default_threads()
    assert isinstance(count, t.ThreadCount) and isinstance(count, int)
    physical = t.default_choice(busy=0.0).physical
    assert 1 <= count <= count.batch <= physical
    with Engine.load(DEMO, n_ctx=256, threads=t.ThreadCount(1, 2)) as engine:
        lib = llama_lib.load()
        assert lib.llama_n_threads(engine.runtime.ctx) == 1
        assert lib.llama_n_threads_batch(engine.runtime.ctx) == 2
        assert engine.backend.threads == 1 and str(engine.backend) == "CPU (1 thread)"
        assert engine.generate("こんにちは", engine.sampling(temperature=0, max_new_tokens=4)).n_generated > 0
    with Engine.load(DEMO, n_ctx=256, threads=3) as engine:  # a plain number: both counts
        lib = llama_lib.load()
        assert lib.llama_n_threads(engine.runtime.ctx) == lib.llama_n_threads_batch(engine.runtime.ctx) == 3


def test_other_programs_cpu_time_is_measured_from_proc_stat(tmp_path):
    busy = t.others_busy(window=0.05)
    assert 0.0 <= busy <= len(t.usable_cpus()) + 0.5
    stat = tmp_path / "stat"
    stat.write_text("cpu  900 0 300 5000 0 0 0 0 0 0\n"
                    "cpu0 100 5 50 2000 7 1 2 3 0 0\n"
                    "cpu1 800 0 250 3000 0 0 0 0 0 0\n"
                    "intr 12345\n")
    ticks = os.sysconf("SC_CLK_TCK")
    assert t._busy_seconds({0}, stat) == pytest.approx((100 + 5 + 50 + 1 + 2 + 3) / ticks)
    assert t._busy_seconds({0, 1}, stat) == pytest.approx((161 + 1050) / ticks)
    # An unchanging file: nobody else used any CPU time. A missing one: nothing is known, 0.
    assert t.others_busy({0, 1}, window=0.01, stat=stat) == 0.0
    assert t.others_busy({0, 1}, window=0.01, stat=tmp_path / "missing") == 0.0


# ------------------------------------------------------------------ constructed machines


@pytest.mark.parametrize("cores,decode,batch", [
    (1, 1, 1),
    (2, 2, 2),  # idle: every physical core, for decoding and for the prompt
    (4, 4, 4),
    (6, 6, 6),
    (16, 16, 16),
])
def test_physical_cores_count_not_hyperthreads(tmp_path, cores, decode, batch):
    root = fake_sysfs(tmp_path / "cpu", ht_desktop(cores))
    core_of = t.sysfs_cores(range(2 * cores), root)
    choice = t.choose(range(2 * cores), core_of)
    assert (choice.physical, choice.logical) == (cores, 2 * cores)
    assert (choice.decode, choice.batch) == (decode, batch)
    assert choice.count() == decode and choice.count().batch == batch
    assert f"{decode} thread" in choice.describe() and f"{cores} physical core" in choice.describe()


def test_the_affinity_mask_limits_the_cores(tmp_path):
    root = fake_sysfs(tmp_path / "cpu", ht_desktop(8))
    core_of = t.sysfs_cores(range(16), root)
    # Both hyperthreads of core 0 only (taskset -c 0,8): one physical core.
    assert (t.choose([0, 8], core_of).decode, t.choose([0, 8], core_of).physical) == (1, 1)
    # Cores 0-2 with their siblings: three physical cores.
    three = t.choose([0, 1, 2, 8, 9, 10], core_of)
    assert (three.physical, three.logical, three.decode, three.batch) == (3, 6, 3, 3)


def test_busy_cores_are_left_to_the_programs_using_them():
    two = {0: "a", 1: "b"}
    assert (t.choose([0, 1], two, busy=0.3).decode, t.choose([0, 1], two, busy=0.3).batch) == (2, 2)
    busy = t.choose([0, 1], two, busy=1.0)
    assert (busy.decode, busy.batch, busy.busy) == (1, 1, 1)
    assert "1 busy with other programs" in busy.describe()
    eight = {i: i for i in range(8)}
    assert (t.choose(range(8), eight, busy=2.6).decode, t.choose(range(8), eight, busy=2.6).batch) == (5, 5)
    swamped = t.choose(range(8), eight, busy=40.0)  # never fewer than one thread
    assert (swamped.decode, swamped.batch, swamped.busy) == (1, 1, 7)


def test_sysfs_core_ids_when_no_sibling_list(tmp_path):
    root = tmp_path / "cpu"
    for cpu, (package, core) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1), (0, 0), (0, 1), (1, 0), (1, 1)]):
        topo = root / f"cpu{cpu}" / "topology"
        topo.mkdir(parents=True)
        (topo / "physical_package_id").write_text(f"{package}\n")
        (topo / "core_id").write_text(f"{core}\n")
    core_of = t.sysfs_cores(range(8), root)
    assert t.choose(range(8), core_of).physical == 4  # two sockets × two cores, each hyperthreaded


def test_cpuinfo_and_then_the_cpu_count_are_the_fallbacks(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("".join(f"processor\t: {cpu}\nmodel name\t: Test CPU\nphysical id\t: 0\n"
                               f"core id\t\t: {cpu % 4}\ncpu cores\t: 4\n\n" for cpu in range(8)))
    core_of = t.cpuinfo_cores(range(8), cpuinfo)
    assert t.choose(range(8), core_of, "cpuinfo").physical == 4
    # A sysfs tree that cannot be read, or garbage in it: not used.
    garbage = fake_sysfs(tmp_path / "garbage", {0: "zero", 1: "1-0"})
    assert t.sysfs_cores([0, 1], garbage) is None
    assert t.sysfs_cores([0, 1], tmp_path / "absent") is None
    # cpuinfo without core ids (some ARM and virtual machines): not used either.
    bare = tmp_path / "bare"
    bare.write_text("processor\t: 0\nBogoMIPS\t: 50.00\n\nprocessor\t: 1\nBogoMIPS\t: 50.00\n")
    assert t.cpuinfo_cores([0, 1], bare) is None
    assert t.cpuinfo_cores([0, 1], tmp_path / "absent") is None
    # Nothing known: each usable CPU counts as a core.
    blind = t.choose(range(6), None)
    assert (blind.physical, blind.decode, blind.source) == (6, 6, "cpu count")
    assert t.choose([], None).decode == 1


def test_cpu_lists_are_parsed_strictly():
    assert t._cpu_list("0-3,8-11") == frozenset([0, 1, 2, 3, 8, 9, 10, 11])
    assert t._cpu_list("5") == frozenset([5])
    for bad in ("", "a", "3-1", "0-99999999", "1,,2"):
        assert t._cpu_list(bad) is None


def test_thread_counts_survive_copying_between_processes():
    count = t.ThreadCount(3, 4)
    again = pickle.loads(pickle.dumps(count))
    assert again == 3 and again.batch == 4 and isinstance(again, t.ThreadCount)
    assert t.ThreadCount(2).batch == 2


def test_the_load_is_looked_at_again_before_each_reply(tmp_path):
    """LoadWatch measures other programs over the time since its last look, without waiting."""
    stat = tmp_path / "stat"

    def write(busy_ticks: int) -> None:
        stat.write_text(f"cpu  0 0 0 0 0 0 0 0\ncpu0 {busy_ticks} 0 0 1000 0 0 0 0\ncpu1 0 0 0 1000 0 0 0 0\n")

    write(0)
    watch = t.LoadWatch([0, 1], stat, min_seconds=0.0)
    import time

    time.sleep(0.2)
    write(int(0.2 * os.sysconf("SC_CLK_TCK")) * 5)  # far more than 0.2 s of CPU time: a busy core at least
    assert watch.busy() >= 1.0
    time.sleep(0.2)  # nothing more since: idle again
    assert watch.busy() == pytest.approx(0.0, abs=0.2)
    two = {0: "a", 1: "b"}
    assert t.choose([0, 1], two, busy=1.0).decode == 1 and t.choose([0, 1], two, busy=0.0).decode == 2


def test_automatic_threads_follow_the_load_reply_by_reply():
    with Engine.load(DEMO, n_ctx=256) as engine:
        assert engine.thread_watch is not None
        engine.generate("日本で一番高い山は?", engine.sampling(max_new_tokens=4))
        assert 1 <= engine.backend.threads <= t.default_choice(busy=0.0).physical
    with Engine.load(DEMO, n_ctx=256, threads=1) as engine:
        assert engine.thread_watch is None  # a count the user chose stays as it is
