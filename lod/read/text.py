"""Decoding input bytes: which Unicode encoding a file is in, and errors that say where a bad byte is.

Files are UTF-8 unless a byte order mark (UTF-8, UTF-16 or UTF-32, either byte
order) or the pattern of NUL bytes in their first four bytes (a file that starts
with an ASCII character, as every record file does: RFC 4627's rule) says UTF-16
or UTF-32, as spreadsheet programs write "Unicode text". Readers always see UTF-8:
line readers get :func:`lines`, whole-file readers :func:`transcoded` bytes.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from typing import BinaryIO

from lod.errors import Place, ReadError

UTF8 = "utf-8"
#: Byte order marks, longest first (UTF-32LE's starts with UTF-16LE's).
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, UTF8), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_NAMES = {"utf-16-le": "UTF-16LE", "utf-16-be": "UTF-16BE", "utf-32-le": "UTF-32LE", "utf-32-be": "UTF-32BE"}
#: What an undecodable UTF-16/32 sequence becomes: a lone surrogate, which no valid
#: UTF-16/32 decodes to and no UTF-8 encoder accepts, so its line is found and rejected.
_INVALID = "lod.invalid-unicode"
codecs.register_error(_INVALID, lambda error: ("\udfff", error.end))


def sniff(head: bytes) -> tuple[str, int]:
    """``(codec, length of its byte order mark)`` for a file that starts with ``head`` (4 bytes)."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec, len(bom)
    if len(head) == 4 and 0 in head:
        nuls = tuple(byte == 0 for byte in head)
        codec = {(False, True, True, True): "utf-32-le", (True, True, True, False): "utf-32-be",
                 (False, True, False, True): "utf-16-le", (True, False, True, False): "utf-16-be"}.get(nuls)
        if codec:
            return codec, 0
    return UTF8, 0


def lines(path: str, handle: BinaryIO, most: int) -> Iterator[bytes | ReadError]:
    """The file's lines (ending at LF only) as UTF-8 bytes, in order, one item per line.

    A line longer than ``most`` bytes (it is never held whole) or, in a UTF-16/32
    file, one that does not decode, is a ReadError in its place; the lines after it
    are still read.
    """
    codec, bom = sniff(handle.read(4))
    handle.seek(bom)
    if codec == UTF8:
        yield from _utf8_lines(path, handle, most)
    else:
        yield from _transcoded_lines(path, io.TextIOWrapper(handle, codec, _INVALID, newline="\n"),
                                     _NAMES[codec], most)


def _utf8_lines(path: str, handle: BinaryIO, most: int) -> Iterator[bytes | ReadError]:
    number = 0
    while True:
        raw = handle.readline(most + 1)
        if not raw:
            return
        number += 1
        if len(raw) > most:
            _skip_rest(handle, raw, b"\n")
            yield _too_long(path, number, most)
        else:
            yield raw


def _transcoded_lines(path: str, text: io.TextIOWrapper, name: str, most: int) -> Iterator[bytes | ReadError]:
    number = 0
    while True:
        line = text.readline(most + 1)
        if not line:
            return
        number += 1
        if len(line) > most:
            _skip_rest(text, line, "\n")
            yield _too_long(path, number, most)
            continue
        try:
            data = line.encode(UTF8)
        except UnicodeEncodeError as error:
            yield ReadError(f"not valid {name} (at character {error.start + 1} of the line)",
                            Place(path, line=number), hint=f"save the file as UTF-8 or valid {name}")
            continue
        if len(data) > most:
            yield _too_long(path, number, most)
        else:
            yield data


def _skip_rest(handle, start, end) -> None:
    """Read past the end of a line that is too long, a block at a time."""
    chunk = start
    while chunk and not chunk.endswith(end):
        chunk = handle.readline(1 << 16)


def _too_long(path: str, number: int, most: int) -> ReadError:
    return ReadError(f"line is longer than {most:,} bytes (limits.line_bytes)", Place(path, line=number),
                     hint="raise line_bytes under [limits] in lod.toml if the record is right")


def transcoded(path: str, data: bytes) -> bytes:
    """A whole file's bytes as UTF-8 (a UTF-8 file as it is, its BOM too); ReadError when it
    is UTF-16/32 that does not decode."""
    codec, bom = sniff(data[:4])
    if codec == UTF8:
        return data
    try:
        return data[bom:].decode(codec).encode(UTF8)
    except UnicodeDecodeError as error:
        line = 1 + data[bom:bom + error.start].decode(codec).count("\n")
        raise ReadError(f"not valid {_NAMES[codec]} (at byte offset {bom + error.start})",
                        Place(path, line=line), hint=f"save the file as UTF-8 or valid {_NAMES[codec]}") from None


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


def count_lines(handle: BinaryIO) -> int:
    """How many lines an open file has, read in 1 MiB chunks (a cheap estimate for progress)."""
    return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
