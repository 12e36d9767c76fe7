"""Terminal progress for long CLI commands.

Flows run in the CLI's own process, but their parameters must stay serialisable for Prefect, so a
progress display is not passed down as an argument: the CLI installs one here for the duration of
a command and the library reports into whatever is installed (nothing, when run by a scheduler).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

_active: Progress | None = None
_tasks: dict[str, int] = {}


@contextmanager
def terminal_progress(console: Console | None = None) -> Iterator[Progress]:
    global _active
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} done"),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=console or Console(stderr=True),
        transient=False,
    )
    with progress:
        _tasks.clear()
        _active = progress
        try:
            yield progress
        finally:
            _active = None
            _tasks.clear()


def report(key: str, completed: int, total: int | None = None, detail: str = "") -> None:
    """Set the progress line ``key`` (e.g. a source id or a stage) if a display is installed."""
    if _active is None:
        return
    if key not in _tasks:
        _tasks[key] = _active.add_task(key, total=total, detail=detail)
    _active.update(_tasks[key], completed=completed, total=total, detail=detail)
