"""The one error type every stage raises at its boundary.

Library code raises :class:`LodError`; only the CLI turns errors into messages and
exit codes. The message is one line and names the place (file, line or record,
field) and the reason, so a user can find and fix the input.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    """Where in the input something happened."""

    file: str
    line: int | None = None  # 1-based line (JSON Lines, CSV row, page line)
    record: int | None = None  # 1-based record number within the file
    field: str | None = None

    def __str__(self) -> str:
        # A file name may hold a line break: the message stays one line.
        parts = [self.file if self.file.isprintable() else "".join(
            c if c.isprintable() else repr(c)[1:-1] for c in self.file)]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.record is not None and self.line is None:
            parts.append(f"record {self.record}")
        if self.field:
            parts.append(f"field {self.field!r}")
        return ":".join(parts[:1]) + "".join(f", {p}" for p in parts[1:])


class LodError(Exception):
    """A problem with the input or the configuration, with its place and reason."""

    def __init__(self, reason: str, place: Place | None = None, hint: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.place = place
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.place}: {self.reason}" if self.place else self.reason
        return f"{text} ({self.hint})" if self.hint else text


class ReadError(LodError):
    """A record (or a whole file) could not be read."""


class ConfigError(LodError):
    """The configuration or the command line is not usable."""


class LinkError(LodError):
    """The entity linker could not do what was asked (e.g. the service is down)."""
