"""``python -m km_core``: the km command, for processes km starts itself (the scheduler's jobs)."""

from km_core.cli.app import main

main()
