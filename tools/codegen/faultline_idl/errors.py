"""The one error type of the IDL tools: a message tied to a file position."""


class IdlError(Exception):
    """A mistake in an IDL file, reported as `file:line:col: message`."""

    def __init__(self, path, line, col, message):
        super().__init__(f"{path}:{line}:{col}: {message}")
        self.path = path
        self.line = line
        self.col = col
        self.message = message


def fail(pos, message):
    """Raise an IdlError at pos, a (path, line, col) tuple."""
    raise IdlError(pos[0], pos[1], pos[2], message)
