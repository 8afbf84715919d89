"""Join PDFs that ReportLab made into one, streaming to a file.

ReportLab keeps a whole document in memory and formats it whole on save (three copies of a
150 MB batch at the peak). A batch is therefore drawn in parts of a few hundred certificates, by
worker processes, and the parts are joined here one after another: each part's objects are
renumbered and written straight out, only their offsets are kept, and one page tree, catalog and
cross-reference table close the file. Only ReportLab's own output is read (classic xref table, no
object streams, references only in dictionaries), which is all this has to handle.
"""

import hashlib
import re
from typing import BinaryIO

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_REF = re.compile(rb"(?<![\d.])(\d+) 0 R\b")
_TRAILER_REF = re.compile(rb"/(Root|Info) (\d+) 0 R")
_SUBSET_TAG = re.compile(rb"/([A-Z]{6})\+")
HEADER = b"%PDF-1.4\n%\x93\x8c\x8b\x9e joined ReportLab parts\n"


class JoinError(ValueError):
    """A part is not a PDF of the shape ReportLab writes."""


def _objects(data: bytes) -> tuple[dict[int, bytes], bytes]:
    """The part's objects by number (the text between "N 0 obj" and "endobj"), and its trailer."""
    found = _STARTXREF.search(data[-64:])
    if found is None:
        raise JoinError("no startxref")
    xref_at = int(found.group(1))
    lines = data[xref_at:].split(b"\n", 3)
    if lines[0].strip() != b"xref":
        raise JoinError("no classic xref table")
    first, count = map(int, lines[1].split())
    table = lines[2] + b"\n" + lines[3]
    offsets = {}
    for index in range(count):
        entry = table[index * 20:index * 20 + 20]
        if entry[17:18] == b"n":
            offsets[first + index] = int(entry[:10])
    ordered = sorted(offsets.items(), key=lambda item: item[1])
    objects = {}
    for position, (number, start) in enumerate(ordered):
        end = ordered[position + 1][1] if position + 1 < len(ordered) else xref_at
        chunk = data[start:end]
        head = f"{number} 0 obj\n".encode()
        if not chunk.startswith(head) or not chunk.rstrip().endswith(b"endobj"):
            raise JoinError(f"object {number} is not where the table says")
        objects[number] = chunk[len(head):chunk.rstrip().rindex(b"endobj")]
    return objects, data[data.rindex(b"trailer"):]


def _ref(body: bytes, key: bytes) -> int:
    found = re.search(rb"/" + key + rb" (\d+) 0 R", body)
    if found is None:
        raise JoinError(f"no /{key.decode()}")
    return int(found.group(1))


class PdfJoiner:
    """Write the pages of ReportLab PDFs, part after part, into one PDF on ``out``."""

    def __init__(self, out: BinaryIO):
        self.out = out
        #: Offset of each object, object 1 first: 1 is the catalog, 2 the page tree (both last).
        self.offsets: list[int] = [0, 0]
        self.pages: list[int] = []
        self.position = 0
        self.parts = 0
        self.digest = hashlib.md5(usedforsecurity=False)
        self._write(HEADER)

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.digest.update(data)
        self.position += len(data)

    def _object(self, body: bytes) -> int:
        self.offsets.append(self.position)
        number = len(self.offsets)
        self._write(b"%d 0 obj\n" % number + body + b"endobj\n")
        return number

    def add(self, data: bytes) -> int:
        """Append the pages of one part; return how many it had."""
        objects, trailer = _objects(data)
        refs = dict((name, int(number)) for name, number in _TRAILER_REF.findall(trailer))
        catalog = objects[refs[b"Root"]]
        tree = _ref(catalog, b"Pages")
        skipped = {refs[b"Root"], tree, refs.get(b"Info"), _outlines(catalog)}
        kids = [int(n) for n in _REF.findall(objects[tree].split(b"/Kids", 1)[1].split(b"]", 1)[0])]
        base = len(self.offsets)
        numbers, next_number = {tree: 2}, base + 1
        for number in sorted(objects):
            if number not in skipped:
                numbers[number] = next_number
                next_number += 1
        # Each part tags its font subsets AAAAAA, AAAAAB, ...: made unique per part, so no viewer
        # takes one part's subset for another's.
        tag = _tag_prefix(self.parts)
        for number in sorted(objects):
            if number in skipped:
                continue
            body = objects[number]
            head, sep, stream = body.partition(b"\nstream\n")
            head = _REF.sub(lambda m: b"%d 0 R" % numbers[int(m.group(1))], head)
            head = _SUBSET_TAG.sub(lambda m: b"/" + tag + m.group(1)[len(tag):] + b"+", head)
            self._object(head + sep + stream)
        self.pages.extend(numbers[kid] for kid in kids)
        self.parts += 1
        return len(kids)

    def close(self, title: str) -> None:
        """Write the page tree, the catalog, the document information and the xref table."""
        kids = b" ".join(b"%d 0 R" % n for n in self.pages)
        self.offsets[0] = self.position
        self._write(b"1 0 obj\n<<\n/Pages 2 0 R /Type /Catalog\n>>\nendobj\n")
        self.offsets[1] = self.position
        self._write(b"2 0 obj\n<<\n/Count %d /Kids [ %s ] /Type /Pages\n>>\nendobj\n"
                    % (len(self.pages), kids))
        info = self._object(b"<<\n/Producer (LMS certificates) /Title " + _pdf_string(title) + b"\n>>\n")
        document_id = self.digest.hexdigest().encode()
        xref = self.position
        lines = [b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.offsets) + 1)]
        lines += [b"%010d 00000 n \n" % offset for offset in self.offsets]
        self._write(b"".join(lines))
        self._write(b"trailer\n<<\n/ID [<%s><%s>] /Info %d 0 R /Root 1 0 R /Size %d\n>>\n"
                    b"startxref\n%d\n%%%%EOF\n"
                    % (document_id, document_id, info, len(self.offsets) + 1, xref))


def _outlines(catalog: bytes) -> int | None:
    found = re.search(rb"/Outlines (\d+) 0 R", catalog)
    return int(found.group(1)) if found else None


def _tag_prefix(part: int) -> bytes:
    """Three letters unique to the part (17,576 parts), then the part's own subset letters."""
    letters = []
    for _ in range(3):
        part, digit = divmod(part, 26)
        letters.append(65 + digit)
    return bytes(reversed(letters))


def _pdf_string(text: str) -> bytes:
    """A PDF text string (UTF-16BE with BOM, hex) of ``text``."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"
