"""Decode the body of an Apple Notes note (``ZICNOTEDATA.ZDATA``) to plain text.

The blob is a gzip-compressed ``NoteStoreProto`` protobuf message. We only need one string out of it, so instead of
depending on a protobuf runtime and Apple's reverse-engineered ``.proto`` files we walk the wire format by hand:

    NoteStoreProto  field 2 (length-delimited) -> Document
    Document        field 3 (length-delimited) -> Note
    Note            field 2 (length-delimited) -> note_text (UTF-8)

Everything else (attribute runs for styles, lists, links, attachment info) is skipped, but every message on the path
is parsed completely, so random or encrypted bytes are rejected instead of yielding a plausible-looking fragment.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

# Wire types of the protobuf encoding (https://protobuf.dev/programming-guides/encoding/).
_VARINT, _I64, _LEN, _SGROUP, _EGROUP, _I32 = 0, 1, 2, 3, 4, 5

# Field numbers on the path NoteStoreProto -> Document -> Note -> note_text.
_DOCUMENT_FIELD = 2
_NOTE_FIELD = 3
_TEXT_FIELD = 2

# U+FFFC OBJECT REPLACEMENT CHARACTER: stands in the text where an attachment (table, PDF, image, hashtag...) sits.
ATTACHMENT_MARKER = "\ufffc"

_GZIP_MAGIC = b"\x1f\x8b"
_MAX_VARINT_BYTES = 10


def decode_note_text(blob: bytes) -> str:
    """The plain text of a note body blob, without attachment markers.

    ``blob`` is normally gzip-compressed; a blob that is not gzip is tried as a zlib stream (when it looks like one)
    and then as a raw protobuf message, because exports and older stores sometimes hold it uncompressed.

    Every U+FFFC attachment marker is removed outright (replaced by nothing). Markers sit on their own or inside a
    line, never in place of a newline, so removing them keeps the line structure: a line that held only an
    attachment becomes an empty line.

    Raises ``ValueError`` with a one-line reason when the blob is not a note body (truncated gzip, encrypted
    data, random bytes, a protobuf without the note text field, text that is not UTF-8).
    """
    if not isinstance(blob, bytes | bytearray | memoryview):
        raise ValueError(f"note body must be bytes, not {type(blob).__name__}")
    data = _decompress(bytes(blob))
    document = _find_bytes(data, _DOCUMENT_FIELD, "NoteStoreProto", "Document")
    note = _find_bytes(document, _NOTE_FIELD, "Document", "Note")
    raw_text = _find_bytes(note, _TEXT_FIELD, "Note", "note_text")
    try:
        text = raw_text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"note text is not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    return text.replace(ATTACHMENT_MARKER, "")


def _decompress(blob: bytes) -> bytes:
    """Gunzip the blob; a blob that is not gzip is returned as is (or inflated when it is a zlib stream)."""
    if not blob:
        raise ValueError("note body is empty")
    if blob.startswith(_GZIP_MAGIC):
        try:
            return _inflate(blob, 16 + zlib.MAX_WBITS)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"note body is damaged gzip data ({exc})") from None
    if blob[0] == 0x78:  # zlib header byte (deflate, 32K window); a NoteStoreProto never starts with field 15
        try:
            return _inflate(blob, zlib.MAX_WBITS)
        except zlib.error:
            pass
    return blob


MAX_BODY = 64 * 1024 * 1024  # bytes a note body may inflate to: a hostile blob cannot fill the memory


def _inflate(blob: bytes, wbits: int) -> bytes:
    inflater = zlib.decompressobj(wbits)
    data = inflater.decompress(blob, MAX_BODY)
    if inflater.unconsumed_tail:
        raise ValueError(f"note body inflates to more than {MAX_BODY} bytes")
    if not inflater.eof:
        raise zlib.error("incomplete or truncated stream")
    return data


def _find_bytes(message: bytes, field: int, container: str, wanted: str) -> bytes:
    """The first length-delimited value of ``field`` in ``message``, after checking the whole message parses."""
    found: bytes | None = None
    try:
        for number, wire_type, value in _fields(message):
            if found is None and number == field and wire_type == _LEN:
                assert isinstance(value, bytes)
                found = value
    except ValueError as exc:
        raise ValueError(f"note body is not a Notes protobuf ({container}: {exc})") from None
    if found is None:
        raise ValueError(f"note body is not a Notes protobuf ({container} has no {wanted} field {field})")
    return found


def _fields(message: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """Yield ``(field number, wire type, value)`` for each field; ``ValueError`` on malformed wire data."""
    pos, end = 0, len(message)
    while pos < end:
        key, pos = _varint(message, pos)
        number, wire_type = key >> 3, key & 7
        if number == 0:
            raise ValueError(f"field number 0 at byte {pos}")
        if wire_type == _VARINT:
            value, pos = _varint(message, pos)
            yield number, wire_type, value
        elif wire_type == _LEN:
            length, pos = _varint(message, pos)
            if pos + length > end:
                raise ValueError(f"field {number} runs {pos + length - end} bytes past the end")
            yield number, wire_type, message[pos : pos + length]
            pos += length
        elif wire_type in (_I64, _I32):
            size = 8 if wire_type == _I64 else 4
            if pos + size > end:
                raise ValueError(f"fixed-size field {number} is truncated")
            yield number, wire_type, int.from_bytes(message[pos : pos + size], "little")
            pos += size
        else:  # groups (3, 4) are not used by Notes; 6 and 7 do not exist
            raise ValueError(f"unsupported wire type {wire_type} for field {number}")


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """Read a base-128 varint at ``pos``; return it and the position after it."""
    result = shift = 0
    for index in range(pos, min(pos + _MAX_VARINT_BYTES, len(data))):
        byte = data[index]
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, index + 1
        shift += 7
    raise ValueError(f"truncated or overlong varint at byte {pos}")
