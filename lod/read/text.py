"""Decoding input bytes with an error that says where the bad byte is."""

from __future__ import annotations

from lod.errors import Place, ReadError


def decode_utf8(data: bytes, path: str, first_line: int = 1) -> str:
    """UTF-8 text (a BOM is dropped), or a ReadError naming the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = first_line + data.count(b"\n", 0, error.start)
        raise ReadError(
            f"not UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})",
            Place(path, line=line),
            hint="save the file as UTF-8",
        ) from None
