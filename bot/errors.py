"""Errors the user should see, as opposed to bugs.

Domain code raises :class:`UserError` with a friendly message when input is wrong; the command tree's
single error handler shows that message ephemerally and nothing is changed.
"""


class UserError(Exception):
    """An expected problem caused by the user's input, with a message written for them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
