"""Calling a model through litellm: imported here only, lazily, off the UI thread.

litellm takes seconds and ~200 MB to import, and without
``LITELLM_LOCAL_MODEL_COST_MAP`` it tries to download a price list (no network on a
support host: retries and warnings). So nothing imports this module's litellm until
the first call, which the app makes in a worker thread; the worker daemon, which
answers technicians' requests, loads it as it starts (:func:`warm_up`), so that its
first draft is not half a minute late on a busy host.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import ModelError

_import_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class ModelSettings:
    model: str
    api_base: str | None
    api_key: str | None
    timeout: float


def api_base_for(model: str, api_base: str | None) -> str | None:
    """``ai_api_base`` as litellm wants it: for an OpenAI-compatible server
    (``openai/<name>``) given as a bare address (``http://host:8000``), its ``/v1``
    appended, since litellm posts to ``<base>/chat/completions`` and such servers
    answer under ``/v1``. A base with a path of its own is used as given (some
    servers answer elsewhere, ``.../v1beta/openai``); other providers' as given."""
    if not api_base:
        return None
    base = api_base.strip()
    if not model.startswith("openai/"):
        return base
    parts = urlsplit(base)
    if parts.path.strip("/"):
        return base.rstrip("/")
    return urlunsplit(parts._replace(path="/v1"))


def _litellm() -> Any:
    with _import_lock:
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        os.environ.setdefault("LITELLM_LOG", "ERROR")
        import litellm

        litellm.suppress_debug_info = True
        litellm.telemetry = False
        return litellm


def warm_up() -> None:
    """Import litellm now (seconds; up to half a minute on a loaded host), so the
    first model call does not pay for it. Call it off any thread that must answer."""
    _litellm()


def warm_up_then(wake: Callable[[], None], _halt: threading.Event) -> None:
    """The daemon's ``ai-requests`` watch, on a thread of its own from the worker's
    start: load the client, then run the job once (what was asked meanwhile). The
    rehearsal's first draft after a start took 32 s, 30 of them importing litellm
    inside it; a technician's app had stopped waiting by then."""
    warm_up()
    wake()


def complete(
    settings: ModelSettings, messages: list[dict[str, str]], *, json_answer: bool = False
) -> str:
    """The model's text answer to ``messages``, or :class:`ModelError` saying why not.

    The call runs on a thread of its own: litellm's logging asks for the calling
    thread's event loop and, on a main thread without one, makes one it never closes
    (which then breaks whatever event loop that thread runs next, the app's own).
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="regentra-model") as pool:
        return pool.submit(_complete, settings, messages, json_answer).result()


def _complete(settings: ModelSettings, messages: list[dict[str, str]], json_answer: bool) -> str:
    litellm = _litellm()
    options: dict[str, Any] = {
        "model": settings.model,
        "messages": messages,
        "timeout": settings.timeout,
        "num_retries": 0,
    }
    if settings.api_base:
        options["api_base"] = settings.api_base
    if settings.api_key:
        options["api_key"] = settings.api_key
    if json_answer:
        options["response_format"] = {"type": "json_object"}
    try:
        response = litellm.completion(**options)
    except Exception as exc:  # noqa: BLE001 - litellm maps every provider error its own way
        raise ModelError(_short(exc)) from exc
    try:
        content = response.choices[0].message.content
    except (AttributeError, IndexError, KeyError, TypeError):
        raise ModelError("the answer had no message") from None
    if not isinstance(content, str) or not content.strip():
        raise ModelError("the answer was empty")
    return content


def _short(exc: Exception) -> str:
    name = type(exc).__name__
    text = " ".join(str(exc).split())
    if "timeout" in name.lower() or "timed out" in text.lower():
        return "timed out"
    return f"{name}: {text[:160]}"
