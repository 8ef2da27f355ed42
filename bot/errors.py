"""Errors the user should see, as opposed to bugs.

Domain code raises :class:`UserError` with a friendly message when input is wrong; the command tree's
single error handler shows that message ephemerally, in the person's language, and nothing is
changed. For a translatable message pass the English text marked ``N_`` and its named values
separately: ``UserError(N_("No tip called {name}."), name=name)``; ``message`` is the English.
"""


class UserError(Exception):
    """An expected problem caused by the user's input, with a message written for them."""

    def __init__(self, message: str, /, **params: object) -> None:
        self.text = message
        self.params = params
        self.message = message.format(**params) if params else message
        super().__init__(self.message)


class ZoneNeeded(UserError):
    """An action that needs the person's timezone, asked by someone who has none yet, or who
    typed one that cannot be read (`typed_zone`).

    `message` says what the zone is for and how to set it (where nothing can carry on, such as
    `/sleep stats`); `why` is only its first sentence, for a command that offers to ask for the
    zone and carry on with everything typed (``cogs/_zone.py``). Both are marked ``N_`` and take
    the same named values.
    """

    def __init__(
        self, message: str, /, *, why: str, typed_zone: str | None = None, **params: object
    ) -> None:
        super().__init__(message, **params)
        self.why = why
        self.typed_zone = typed_zone
