"""The monthly job: archive, log rotation, insights report, stale files, graph maintenance."""
