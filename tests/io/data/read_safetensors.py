#!/usr/bin/env python3
"""Reads a .safetensors file per the published layout, independently of the
C++ reader, with the standard library only, and prints it as JSON:
{"metadata": {...}, "tensors": {name: {"dtype", "shape", "values": [flat]}}}.
Exits non-zero with a message if the layout is violated.
Usage: python3 read_safetensors.py FILE
"""
import json
import struct
import sys

FORMATS = {"F32": ("f", 4), "F64": ("d", 8), "F16": ("e", 2), "I64": ("q", 8),
           "I32": ("i", 4), "I16": ("h", 2), "I8": ("b", 1), "U8": ("B", 1),
           "BOOL": ("?", 1), "BF16": (None, 2)}


def decode(dtype, data):
    code, size = FORMATS[dtype]
    count = len(data) // size
    if dtype == "BF16":  # the upper half of a float32
        return [struct.unpack("<f", b"\0\0" + data[2 * i:2 * i + 2])[0] for i in range(count)]
    return list(struct.unpack("<%d%s" % (count, code), data))


def main(path):
    with open(path, "rb") as f:
        raw = f.read()
    (length,) = struct.unpack("<Q", raw[:8])
    assert 8 + length <= len(raw), "header runs past the file"
    assert (8 + length) % 8 == 0, "data buffer is not 8-byte aligned"
    header = json.loads(raw[8:8 + length].decode("utf-8"))
    buffer = raw[8 + length:]
    out = {"metadata": header.pop("__metadata__", {}), "tensors": {}}
    cursor = 0
    for name, entry in sorted(header.items(), key=lambda item: item[1]["data_offsets"]):
        begin, end = entry["data_offsets"]
        assert begin == cursor, "tensor %s does not follow the previous one" % name
        count = 1
        for dim in entry["shape"]:
            count *= dim
        assert end - begin == count * FORMATS[entry["dtype"]][1], "size of %s" % name
        out["tensors"][name] = {"dtype": entry["dtype"], "shape": entry["shape"],
                                "values": decode(entry["dtype"], buffer[begin:end])}
        cursor = end
    assert cursor == len(buffer), "bytes left after the last tensor"
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
