"""One error tree, drawn once (errors.py): every public exception of the core lives
there, under RegentraError, and the drawing in its docstring is the tree itself."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest

import regentra_core
from regentra_core import errors
from regentra_core.channels.twilio import TwilioSms
from regentra_core.desk import Outgoing
from regentra_core.errors import DeliveryError, RegentraError, SendFailed, SmsSendFailed
from tests.helpers.twilio_standin import NUMBER, SID, TwilioStandIn

NOT_YET_MOVED = {
    "regentra_core.ai.analysis.BadAnswer": "a signal from read_answer to the assistant, which "
    "always catches it (analysis.py is not this change's)",
}
"""Exceptions still defined outside errors.py, each with why (the list only shrinks)."""


def _core_modules():
    for info in pkgutil.walk_packages(regentra_core.__path__, "regentra_core."):
        if ".migrations" in info.name:
            continue
        yield importlib.import_module(info.name)


def _public_exceptions():
    for module in _core_modules():
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                yield f"{module.__name__}.{name}", value


def test_every_public_exception_of_the_core_is_defined_in_errors():
    found = dict(_public_exceptions())
    outside = {where for where in found if not where.startswith("regentra_core.errors.")}
    assert outside == set(NOT_YET_MOVED)
    for where, cls in found.items():
        assert where in NOT_YET_MOVED or issubclass(cls, RegentraError), where


def _drawn_tree() -> dict[str, str]:
    """Each class the docstring draws, with the class drawn above it (its parent)."""
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in (errors.__doc__ or "").splitlines():
        match = re.match(r"^\s{4}([│ ]*)(?:[├└]── )?([A-Z]\w+)\b", line)
        if not match or not re.match(r"^\s{4}[│├└ ]*[├└]?─*\s*[A-Z]", line):
            continue
        depth = len(match.group(1)) // 4 + (1 if "──" in line else 0)
        name = match.group(2)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[name] = stack[-1][1] if stack else "Exception"
        stack.append((depth, name))
    return parents


def test_the_drawing_in_errors_docstring_is_the_tree_of_its_classes():
    defined = {
        name: cls
        for name, cls in vars(errors).items()
        if inspect.isclass(cls) and issubclass(cls, BaseException)
    }
    drawn = _drawn_tree()
    assert set(drawn) == set(defined)
    for name, cls in defined.items():
        assert cls.__bases__[0].__name__ == drawn[name], name


@pytest.fixture
def twilio():
    standin = TwilioStandIn().start()
    yield standin
    standin.stop()


def _sms(recipient: str) -> Outgoing:
    return Outgoing(1, 1001, "reply", recipient, "", "On it", "<m@x>", None, None, 1)


def test_an_sms_twilio_refuses_raises_the_sms_error_not_the_mail_one(twilio):
    sms = TwilioSms(SID, "not-the-token", NUMBER, api_base=twilio.base_url)
    with pytest.raises(DeliveryError) as refused:
        sms.send(_sms("+15550100199"))
    assert isinstance(refused.value, SmsSendFailed)
    assert not isinstance(refused.value, SendFailed)  # SendFailed is SMTP's
    assert refused.value.permanent  # 401: retrying with the same token cannot help
    assert "Twilio refused it" in str(refused.value)


def test_an_sms_twilio_cannot_be_reached_for_is_an_sms_error_to_retry():
    sms = TwilioSms(SID, "token", NUMBER, api_base="http://127.0.0.1:9")
    with pytest.raises(SmsSendFailed) as failed:
        sms.send(_sms("+15550100199"))
    assert not failed.value.permanent and not failed.value.in_doubt
