"""How many CPU threads llama.cpp gets: the physical cores other programs leave free.

llama.cpp's worker threads wait for each other at every step of a token's computation by
spinning. When the threads outnumber the cores that are free, one of them is descheduled while
the others spin on it, and a reply slows to a fraction of its speed (measured in
``bench/threads.py``: 6-25x slower on a two-core machine with one other busy program). So:

* only physical cores count: a hyperthread sibling shares its core's arithmetic units, and
  decoding is limited by memory bandwidth, which siblings share as well;
* decoding and prompt evaluation use every physical core that is free: on an idle machine all of
  them (the window stays smooth: ``bench/ui_smoothness.py``, p99 7 ms with every core decoding);
* both stay within the CPUs the process may run on (its affinity mask), and leave the cores
  other programs keep busy to them (``others_busy``: their CPU time, ours subtracted). The load
  is measured when the model loads, and again before every reply (``LoadWatch``: over the time
  since the last look, without waiting), so a build or a video call that starts later makes the
  next reply use fewer threads, and the threads come back when it ends.

``choose`` is a pure function of the topology so that it can be tested on any machine's shape;
``default_choice`` reads this machine's.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

SYS_CPU = "/sys/devices/system/cpu"
PROC_CPUINFO = "/proc/cpuinfo"


@dataclass(frozen=True)
class ThreadChoice:
    """The thread counts for llama.cpp and the facts they were chosen from."""

    decode: int  # threads for generating tokens (llama.cpp's n_threads)
    batch: int  # threads for evaluating a prompt (llama.cpp's n_threads_batch)
    physical: int  # physical cores among the usable CPUs
    logical: int  # usable CPUs (the affinity mask), hyperthreads included
    source: str  # where the topology came from: "sysfs", "cpuinfo" or "cpu count"
    busy: int = 0  # cores other programs kept busy when the counts were chosen

    def count(self) -> "ThreadCount":
        """The decode count as an int that carries the batch count (see ``ThreadCount``)."""
        return ThreadCount(self.decode, self.batch)

    def describe(self) -> str:
        """One line for Settings and the status: "3 threads (4 physical cores, …)"."""
        cores = f"{self.physical} physical core{'s' if self.physical != 1 else ''}"
        if self.logical != self.physical:
            cores += f" of {self.logical} CPUs"
        if self.decode < self.physical:
            spare = self.physical - self.decode
            cores += f", {spare} left free for the window while a reply is written"
        if self.busy:
            cores += f", {self.busy} busy with other programs"
        if self.batch != self.decode:
            cores += f"; {self.batch} for reading the prompt"
        return f"{self.decode} thread{'s' if self.decode != 1 else ''} ({cores})"


class ThreadCount(int):
    """A thread count (decode) that also names the prompt-batch count: ``ThreadCount(1, 2).batch``.

    It passes through code that expects one int (``Engine.load(threads=...)``) unchanged, and the
    loader gives llama.cpp the batch count beside it."""

    batch: int

    def __new__(cls, decode: int, batch: int | None = None) -> "ThreadCount":
        obj = super().__new__(cls, decode)
        obj.batch = int(batch if batch is not None else decode)
        return obj

    def __reduce__(self):
        return ThreadCount, (int(self), self.batch)


def choose(affinity: Iterable[int], core_of: Mapping[int, object] | None,
           source: str = "sysfs", busy: float = 0.0) -> ThreadChoice:
    """Thread counts for a process that may run on the CPUs ``affinity``.

    ``core_of`` maps a CPU number to its physical core (any hashable: CPUs with the same value
    are hyperthreads of one core); ``None``, or a CPU missing from it, counts as a core of its own.
    ``busy``: cores' worth of CPU time other programs are using (half a core or more counts as a
    core); the threads never outnumber the cores left, and there is always at least one.
    """
    cpus = sorted(set(affinity)) or [0]
    if core_of:
        physical = len({core_of.get(cpu, ("cpu", cpu)) for cpu in cpus})
    else:
        physical, source = len(cpus), "cpu count"
    physical = max(1, physical)
    taken = min(physical - 1, max(0, int(busy + 0.5)))
    free = physical - taken
    return ThreadChoice(decode=free, batch=free, physical=physical, logical=len(cpus), source=source, busy=taken)


# ------------------------------------------------------------------ reading this machine


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None


def _cpu_list(text: str) -> frozenset[int] | None:
    """"0-3,8-11" → {0, 1, 2, 3, 8, 9, 10, 11}; None when it is not a CPU list."""
    cpus: set[int] = set()
    for part in text.split(","):
        m = re.fullmatch(r"\s*(\d+)(?:-(\d+))?\s*", part)
        if not m:
            return None
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        if hi < lo or hi - lo > 1 << 16:
            return None
        cpus.update(range(lo, hi + 1))
    return frozenset(cpus)


def sysfs_cores(cpus: Iterable[int], root: str | Path = SYS_CPU) -> dict[int, object] | None:
    """CPU → its physical core, from ``cpuN/topology`` (the CPUs sharing the core, or the
    package and core ids); None when a CPU's topology cannot be read."""
    out: dict[int, object] = {}
    for cpu in cpus:
        topo = Path(root) / f"cpu{cpu}" / "topology"
        siblings = next((s for s in (_read(topo / "core_cpus_list"), _read(topo / "thread_siblings_list"))
                         if s), None)
        listed = _cpu_list(siblings) if siblings else None
        if listed and cpu in listed:
            out[cpu] = listed
            continue
        package, core = _read(topo / "physical_package_id"), _read(topo / "core_id")
        if package is None or core is None or not (package.lstrip("-").isdigit() and core.isdigit()):
            return None
        out[cpu] = (int(package), int(core))
    return out or None


def cpuinfo_cores(cpus: Iterable[int], path: str | Path = PROC_CPUINFO) -> dict[int, object] | None:
    """CPU → (physical id, core id) from ``/proc/cpuinfo``; None without those fields."""
    text = _read(Path(path))
    if not text:
        return None
    found: dict[int, object] = {}
    for block in re.split(r"\n\s*\n", text):
        fields = {}
        for line in block.splitlines():
            key, sep, value = line.partition(":")
            if sep:
                fields[key.strip()] = value.strip()
        try:
            found[int(fields["processor"])] = (int(fields["physical id"]), int(fields["core id"]))
        except (KeyError, ValueError):
            continue
    wanted = set(cpus)
    out = {cpu: core for cpu, core in found.items() if cpu in wanted}
    return out if out and wanted <= set(out) else None


def usable_cpus() -> list[int]:
    """The CPUs this process may run on."""
    try:
        return sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return list(range(max(1, os.cpu_count() or 1)))


def _busy_seconds(cpus: set[int], stat: str | Path) -> float | None:
    """CPU time spent on ``cpus`` so far, in seconds (every kind but idle and iowait)."""
    text = _read(Path(stat))
    if not text:
        return None
    ticks = 0
    for line in text.splitlines():
        m = re.match(r"cpu(\d+)\s+(.*)", line)
        if m and int(m.group(1)) in cpus:
            values = [int(v) for v in m.group(2).split()[:8]]
            ticks += sum(values) - sum(values[3:5])  # user nice system [idle iowait] irq softirq steal
    return ticks / os.sysconf("SC_CLK_TCK")


def others_busy(cpus: Iterable[int] | None = None, window: float = 0.1, stat: str | Path = "/proc/stat") -> float:
    """Cores' worth of CPU time that other programs used on ``cpus`` over the next ``window``
    seconds: all CPU time there minus this process's own. 0.0 where the system does not say."""
    wanted = set(usable_cpus() if cpus is None else cpus)
    before, own_before, t0 = _busy_seconds(wanted, stat), os.times(), time.monotonic()
    if before is None:
        return 0.0
    time.sleep(window)
    after, own_after, t1 = _busy_seconds(wanted, stat), os.times(), time.monotonic()
    if after is None or t1 <= t0:
        return 0.0
    own = (own_after.user + own_after.system) - (own_before.user + own_before.system)
    return max(0.0, (after - before - own) / (t1 - t0))


class LoadWatch:
    """Other programs' load since the last look, without waiting: ``busy()`` is the cores' worth of
    CPU time they used on our CPUs since the previous call (ours subtracted), or None the first
    time or when too little time has passed to say."""

    def __init__(self, cpus: Iterable[int] | None = None, stat: str | Path = "/proc/stat", min_seconds: float = 0.05):
        self.cpus = set(usable_cpus() if cpus is None else cpus)
        self.stat, self.min_seconds = stat, min_seconds
        self._last = self._sample()

    def _sample(self):
        total = _busy_seconds(self.cpus, self.stat)
        own = os.times()
        return None if total is None else (total, own.user + own.system, time.monotonic())

    def busy(self) -> float | None:
        now, last = self._sample(), self._last
        if now is None:
            return None
        if last is None:
            self._last = now
            return None
        if now[2] - last[2] < self.min_seconds:
            return None  # too soon: keep measuring from the earlier look
        self._last = now
        return max(0.0, (now[0] - last[0] - (now[1] - last[1])) / (now[2] - last[2]))


def topology(sys_root: str | Path = SYS_CPU, cpuinfo: str | Path = PROC_CPUINFO):
    """(usable CPUs, CPU → physical core or None, where that came from) for ``choose``."""
    cpus = usable_cpus()
    cores = sysfs_cores(cpus, sys_root)
    if cores:
        return cpus, cores, "sysfs"
    cores = cpuinfo_cores(cpus, cpuinfo)
    if cores:
        return cpus, cores, "cpuinfo"
    return cpus, None, "cpu count"


def default_choice(sys_root: str | Path = SYS_CPU, cpuinfo: str | Path = PROC_CPUINFO,
                   busy: float | None = None) -> ThreadChoice:
    """This machine's thread counts (see ``choose``); ``busy`` None: measured now (``others_busy``)."""
    cpus, cores, source = topology(sys_root, cpuinfo)
    return choose(cpus, cores, source, others_busy(cpus) if busy is None else busy)


def llama_cpp_python_default() -> tuple[int, int]:
    """What ``llama_cpp.Llama`` uses when not told: (half the CPUs, all of them)."""
    import multiprocessing

    n = multiprocessing.cpu_count()
    return max(n // 2, 1), n
