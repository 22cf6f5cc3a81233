"""What the benches read of running processes, from /proc: a process tree and its CPU time."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path


def tree(roots: list[int]) -> tuple[list[int], dict[int, float]]:
    """The processes under `roots` (included) and every process's CPU time so far, from /proc."""
    children: dict[int, list[int]] = defaultdict(list)
    used: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()  # from the state field on
        pid = int(stat.parent.name)
        children[int(fields[1])].append(pid)
        used[pid] = (int(fields[11]) + int(fields[12])) / tick
    found, stack = [], list(roots)
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found, used


def process_tree(pid: int) -> list[int]:
    """A process and its descendants (granian runs its workers as children of its main process)."""
    return tree([pid])[0]


def cpu_seconds(roots: list[int]) -> float:
    """CPU time (user + system) of processes and all their descendants so far."""
    pids, used = tree(roots)
    return sum(used.get(pid, 0.0) for pid in pids)
