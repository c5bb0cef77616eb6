"""The worker's log file: job tracebacks go here, never onto a technician's screen."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from ..sharing import desk_dir


def configure_worker_logging(data_dir: Path, *, also_stderr: bool = True) -> Path:
    """Log ``regentra.worker`` (and APScheduler) to ``data_dir/worker.log``, rotated."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "worker.log"
    handler = RotatingFileHandler(path, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
    # Tracebacks quote ticket text: the log is the desk's (group) or its owner's only.
    try:
        path.chmod(desk_dir(data_dir).file_mode)
    except PermissionError:
        pass  # another account's log; 'regentra doctor' reports a wrong mode
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handlers: list[logging.Handler] = [handler]
    if also_stderr:
        handlers.append(logging.StreamHandler())
    for h in handlers:
        h.set_name(_HANDLER_NAME)
        h.addFilter(_still_running)
    # APScheduler logs every run at INFO; only its warnings and errors matter here.
    for name, level in (("regentra.worker", logging.INFO), ("apscheduler", logging.WARNING)):
        logger = logging.getLogger(name)
        logger.setLevel(level)
        for old in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
            logger.removeHandler(old)
            old.close()
        for h in handlers:
            logger.addHandler(h)
    return path


_HANDLER_NAME = "regentra-worker-log"
"""Marks our handlers, so configuring twice replaces rather than duplicates them."""


def close_worker_logging() -> None:
    """Detach and close the handlers :func:`configure_worker_logging` added."""
    for name in ("regentra.worker", "apscheduler"):
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
            logger.removeHandler(old)
            old.close()


def _still_running(record: logging.LogRecord) -> bool:
    """Drop APScheduler's "skipped: maximum number of running instances reached".

    A poll that takes longer than its interval (a thousand messages after an outage)
    simply runs again when it finishes; a warning a second for that buried the
    log's real errors.
    """
    return "maximum number of running instances reached" not in record.getMessage()
