"""``km status``: read the state files, never the graph, so it answers while a job writes."""

from __future__ import annotations

from typing import Any

import typer

from km_core import config as config_mod
from km_core import state
from km_core.cli.output import table
from km_core.store.graph import graph_path, size_on_disk


def collect() -> dict[str, Any]:
    config = config_mod.load()
    dirs = config.folders
    jobs: dict[str, Any] = {}
    for job in state.JOBS:
        data = state.read_job_state(dirs, job)
        running = data.get("running")
        if running and not state.pid_alive(int(running.get("pid", 0))):
            running = None  # its process is gone: it was killed, and the next run will say so
        jobs[job] = {"last_run": data.get("last_run"), "running": running}
    return {
        "config": str(dirs.config_file),
        "config_present": dirs.config_file.exists(),
        "roots": config.locations.roots,
        "graph": str(graph_path(config)),
        "graph_bytes": size_on_disk(config),
        "logs": str(dirs.logs),
        "jobs": jobs,
    }


def show(data: dict[str, Any]) -> None:
    rows = []
    for job, info in data["jobs"].items():
        last = info["last_run"] or {}
        running = info["running"]
        counts = last.get("counts", {})
        rows.append(
            [
                job,
                f"running: {running['step'] or 'starting'} {running['done']}/{running['total'] or '?'}"
                if running
                else last.get("status", "never run"),
                (last.get("finished") or "")[:19].replace("T", " "),
                f"{last['duration_s']:.1f} s" if last else "",
                str(counts.get("discovered", "")),
                str(counts.get("failed", "")),
            ]
        )
    table(["job", "status", "last finished (UTC)", "took", "items", "failed"], rows)
    mib = data["graph_bytes"] / 1024 / 1024
    typer.echo(f"graph:  {data['graph']} ({mib:.1f} MiB)")
    typer.echo(f"config: {data['config']}{'' if data['config_present'] else ' (not written yet: km init)'}")
    typer.echo(f"roots:  {', '.join(data['roots'])}")
    typer.echo(f"logs:   {data['logs']}")
