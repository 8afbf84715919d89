"""QR codes for certificates, a few times faster than segno's own encoder, with its output.

segno (pure Python) spends most of a code on the symbol, not the message: it builds the function
patterns, walks the zigzag placement and applies the mask module by module for every code. All of
that depends on the version only, so it is done once per version here (error level M, data mask
0: every mask is valid, the search for the best one only tunes readability and is half the cost
again) and each code only computes its codewords with segno and drops their bits into the cached
places. tests/certificates/test_pdf.py checks the result equals segno.make_qr(..., mask=0).
"""

from functools import cache

from segno import consts
from segno import encoder as enc

ERROR = consts.ERROR_LEVEL_M
MASK = 0


@cache
def _symbol(version: int) -> tuple[tuple[bytearray, ...], tuple[tuple[int, int], ...], bytes]:
    """The symbol of ``version`` without data, the data modules in placement order, and the
    mask's bit at each of them."""
    width = enc.calc_matrix_size(version)
    matrix = enc.make_matrix(width, width)
    enc.add_finder_patterns(matrix, width, width)
    enc.add_alignment_patterns(matrix, width, width)
    places = []
    # ISO/IEC 18004:2015 7.7.3: two-module columns, alternately up and down, right to left,
    # skipping the vertical timing pattern (as segno.encoder.add_codewords walks them).
    for right in range(width - 1, 0, -2):
        if right <= 6:
            right -= 1
        for vertical in range(width):
            for z in (0, 1):
                j = right - z
                upwards = ((right & 2) == 0) ^ (j < 6)
                i = (width - 1 - vertical) if upwards else vertical
                if matrix[i][j] == 0x2:
                    places.append((i, j))
                    matrix[i][j] = 0x0
    enc.add_format_info(matrix, version, ERROR, MASK)
    enc.add_version_info(matrix, version)
    mask_fn = enc.get_data_mask_functions(False)[MASK]
    mask_bits = bytes(1 if mask_fn(i, j) else 0 for i, j in places)
    return matrix, tuple(places), mask_bits


@cache
def _rs_table(count: int) -> tuple[int, ...]:
    """For each byte value, the generator polynomial of ``count`` error codewords times it, as
    one integer of ``count`` bytes: the remainder of a block then takes one XOR per data byte."""
    gen, log, exp = consts.GEN_POLY[count], consts.GALIOS_LOG, consts.GALIOS_EXP
    table = [0]
    for factor in range(1, 256):
        table.append(int.from_bytes(bytes(exp[log[factor] + g] for g in gen), "big"))
    return tuple(table)


def _error_words(block: bytes, count: int) -> bytes:
    table, top, keep = _rs_table(count), 8 * (count - 1), (1 << 8 * count) - 1
    rem = 0
    for byte in block:
        coef = byte ^ (rem >> top)
        rem = (rem << 8) & keep
        if coef:
            rem ^= table[coef]
    return rem.to_bytes(count, "big")


def _version(length: int) -> int:
    for version in range(1, 41):
        count_bits = 8 if version < 10 else 16
        if 4 + count_bits + 8 * length <= consts.SYMBOL_CAPACITY[version][ERROR]:
            return version
    raise ValueError("too long for a QR code")


def _codewords(data: bytes, version: int) -> bytes:
    """Data codewords (byte mode, terminator, padding) and error codewords, interleaved."""
    capacity = consts.SYMBOL_CAPACITY[version][ERROR] // 8
    count_bits = 8 if version < 10 else 16
    bits = 4 + count_bits + 8 * len(data)
    value = (((0b0100 << count_bits) | len(data)) << 8 * len(data)) | int.from_bytes(data, "big")
    # The terminator (4 zero bits at most), then zero bits to the next byte boundary; like segno,
    # a whole zero byte when the terminator already ends on one (readers stop at the terminator),
    # so the codes are identical to segno's.
    pad = min(4, capacity * 8 - bits)
    pad = min(pad + 8 - (bits + pad) % 8, capacity * 8 - bits)
    message = (value << pad).to_bytes((bits + pad) // 8, "big")
    fill = capacity - len(message)
    message += (b"\xec\x11" * (fill // 2 + 1))[:fill]
    data_blocks, error_blocks, at = [], [], 0
    for info in consts.ECC[version][ERROR]:
        count = info.num_total - info.num_data
        for _ in range(info.num_blocks):
            block = message[at:at + info.num_data]
            at += info.num_data
            data_blocks.append(block)
            error_blocks.append(_error_words(block, count))
    longest = max(len(b) for b in data_blocks)
    out = bytearray(b[i] for i in range(longest) for b in data_blocks if i < len(b))
    out += bytes(b[i] for i in range(len(error_blocks[0])) for b in error_blocks)
    return bytes(out)


def qr_matrix(text: str) -> list[bytearray]:
    """The QR code of ``text`` (UTF-8, byte mode) at error level M with mask 0: rows of 0/1."""
    data = text.encode()
    version = _version(len(data))
    words = _codewords(data, version)
    template, places, mask_bits = _symbol(version)
    # Remainder bits (3, 4 or 7 in some versions) are zeros, masked like the rest.
    bits = bin(int.from_bytes(words, "big") | 1 << 8 * len(words))[3:].ljust(len(places), "0")
    matrix = [bytearray(row) for row in template]
    for (i, j), bit, mask in zip(places, bits, mask_bits, strict=True):
        matrix[i][j] = (bit == "1") ^ mask
    return matrix
