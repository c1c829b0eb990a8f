"""How a backend says that a message did not go out.

The text of an error is what staff read as the message's last error, so it is
short and Swedish.
"""


class SendError(Exception):
    """The message was not delivered to the provider."""


class TransientSendError(SendError):
    """The provider may take the message later: it is retried with back-off."""


class PermanentSendError(SendError):
    """The provider refused the message; sending it again unchanged will not help."""
