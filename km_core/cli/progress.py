"""A rich progress bar for a job on a terminal, and the summary printed after it."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


class JobProgress:
    """One bar per step; a step with no known total shows a spinner and a count."""

    def __init__(self) -> None:
        self.console = Console(stderr=True)
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )
        self.tasks: dict[str, Any] = {}

    def update(self, step: str, done: int, total: int) -> None:
        if not step:
            return
        if step not in self.tasks:
            self.tasks[step] = self.progress.add_task(step, total=total or None)
        self.progress.update(self.tasks[step], completed=done, total=total or None)

    def __enter__(self) -> JobProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        for task in self.progress.tasks:
            if task.total is None:
                self.progress.update(task.id, total=task.completed or 1, completed=task.completed or 1)
        self.progress.stop()


def print_summary(summary: Any, dry_run: bool = False) -> None:
    console = Console(stderr=True)
    colour = {"ok": "green", "warning": "yellow"}.get(summary.status, "red")
    counts = ", ".join(f"{k} {v}" for k, v in summary.counts.items() if v)
    console.print(
        f"[bold]{summary.job}[/] job [{colour}]{summary.status}[/] in {summary.duration_s:.1f} s"
        f" — {counts or 'nothing to do'}"
    )
    for error in summary.errors[:10]:
        console.print(f"  [red]failed[/] {error['step']}: {error['path']}: {error['error']}")
    if len(summary.errors) > 10:
        console.print(f"  … and {len(summary.errors) - 10} more (see {summary.log_file})")
    for note in summary.notes:
        console.print(f"  note: {note}")
    if not dry_run:
        return  # what moved is in the change logs and `km show`; the count is above
    for move in summary.plan[:20]:
        line = f"  would move {move['old_path']}\n    -> {move['new_path']}  ({move['reason']})"
        console.print(line, markup=False, soft_wrap=True)  # paths are not wrapped: they can be copied
    if len(summary.plan) > 20:
        console.print(f"  … and {len(summary.plan) - 20} more (--json lists them all)")
