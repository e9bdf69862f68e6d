"""The one error type content loading reports: a position in a file and a message."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class ContentError:
    """A problem in a content file, at a 1-based line and column."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        """Return the `path:line:col: message` form editors and CI understand."""
        return f"{self.path}:{self.line}:{self.col}: {self.message}"

    def as_dict(self) -> dict[str, str | int]:
        """Return the error as a JSON-able dict."""
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "message": self.message,
        }
