"""The one error the ``atiende`` command turns into a readable line and an exit code."""

from __future__ import annotations


class CliError(Exception):
    """A command failed for a reason the user can act on; ``str()`` is the message."""

    def __init__(self, message: str, code: int = 1, *, named: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.named = named  # the message already starts with the program's name
