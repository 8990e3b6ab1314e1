"""gunicorn settings read from the working directory: Prometheus in multi-process mode.

With PROMETHEUS_MULTIPROC_DIR set (the Docker image sets it), every worker process writes its metric
samples to that directory and /metrics sums them. The directory is emptied when gunicorn starts, and
a worker's live gauges are dropped when it exits. The command line sets workers, threads and binding.
"""

import os
import shutil


def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
