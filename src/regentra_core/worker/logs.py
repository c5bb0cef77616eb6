"""The worker's log file: job tracebacks go here, never onto a technician's screen."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path


def configure_worker_logging(data_dir: Path, *, also_stderr: bool = True) -> Path:
    """Log ``regentra.worker`` (and APScheduler) to ``data_dir/worker.log``, rotated."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "worker.log"
    handler = RotatingFileHandler(path, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # APScheduler logs every run at INFO; only its warnings and errors matter here.
    for name, level in (("regentra.worker", logging.INFO), ("apscheduler", logging.WARNING)):
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.addHandler(handler)
        if also_stderr:
            logger.addHandler(logging.StreamHandler())
    return path
