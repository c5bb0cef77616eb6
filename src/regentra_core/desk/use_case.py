"""How a use-case function becomes a ``Desk`` method.

A use case is a plain function whose first argument is the transaction it runs in
(``def change_status(tx: Tx, number: int, ...)``): it can be read, tested and
called from another use case (a rule's action, a cascade) inside the same
transaction. ``Desk`` lists them (``change_status = in_transaction(work.change_status)``);
called on a Desk, the function runs in a new transaction of that Desk's door, and
whatever the change triggers runs before it commits.

A use case that needs several transactions, or work before its transaction opens
(storing a file's bytes, a batch that retries one message at a time), takes the
``Door`` instead and opens its transactions itself (``at_door``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import cached_property, update_wrapper
from typing import TYPE_CHECKING, Concatenate, Generic, ParamSpec, Protocol, TypeVar, overload

from .tx import Door, Tx, transaction

if TYPE_CHECKING:
    from typing import Self

P = ParamSpec("P")
R = TypeVar("R")


class _HasDoor(Protocol):
    """What these descriptors are read from: a ``Desk`` (any object with a door)."""

    door: Door


class _DeskMethod(Generic[P, R]):
    """What both kinds share: read on a Desk, a bound method; read on the class, the
    descriptor itself, still callable with the Desk first (``Desk.name(desk, ...)``)
    as every mixin method was."""

    fn: Callable[..., R]

    def run(self, door: Door, *args: P.args, **kwargs: P.kwargs) -> R:
        raise NotImplementedError

    @overload
    def __get__(self, desk: None, owner: type) -> Self: ...
    @overload
    def __get__(self, desk: _HasDoor, owner: type) -> Callable[P, R]: ...
    def __get__(self, desk: _HasDoor | None, owner: type) -> Self | Callable[P, R]:
        if desk is None:
            return self
        door = desk.door

        def bound(*args: P.args, **kwargs: P.kwargs) -> R:
            return self.run(door, *args, **kwargs)

        update_wrapper(bound, self.fn)
        setattr(bound, "__signature__", self.signature)  # noqa: B010 (a function's attribute)
        return bound

    @cached_property
    def signature(self) -> inspect.Signature:
        """What a caller passes: the function's parameters after its ``tx`` or ``door``
        (help(), the REPL and editors show this, not the transaction)."""
        sig = inspect.signature(self.fn)
        return sig.replace(parameters=list(sig.parameters.values())[1:])

    def __call__(self, desk: _HasDoor, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.run(desk.door, *args, **kwargs)


class in_transaction(_DeskMethod[P, R]):  # noqa: N801 (used as a decorator-like marker)
    """A ``Desk`` method running ``fn`` in one transaction of the Desk's door."""

    def __init__(self, fn: Callable[Concatenate[Tx, P], R]) -> None:
        self.fn = fn
        self.__doc__ = fn.__doc__

    def run(self, door: Door, *args: P.args, **kwargs: P.kwargs) -> R:
        with transaction(door) as tx:
            return self.fn(tx, *args, **kwargs)


class at_door(_DeskMethod[P, R]):  # noqa: N801
    """A ``Desk`` method running ``fn`` with the Desk's door (it opens its own
    transactions)."""

    def __init__(self, fn: Callable[Concatenate[Door, P], R]) -> None:
        self.fn = fn
        self.__doc__ = fn.__doc__

    def run(self, door: Door, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.fn(door, *args, **kwargs)
