#!/usr/bin/env python3
"""Writes golden.safetensors by hand from the published safetensors layout,
with the standard library only (Debian packages no python safetensors):

  8 bytes   little-endian u64 N, the header length
  N bytes   UTF-8 JSON {"__metadata__": {str: str}, name: {"dtype", "shape",
            "data_offsets": [begin, end]}}, padded with spaces to 8 bytes
  rest      the byte buffer; offsets are relative to its start, tensors are
            little-endian and C-contiguous

Usage: python3 make_golden_safetensors.py [output]   (default: beside this file)
The tensors are written in an order that is not alphabetical, so that a reader
has to follow data_offsets rather than the key order of the JSON.
"""
import json
import os
import struct
import sys


def bf16(value):
    # bfloat16 is the upper half of a float32; the values below are exact.
    return struct.pack("<f", value)[2:]


# name -> (dtype, shape, little-endian bytes)
TENSORS = [
    ("weight", "F32", [2, 3], struct.pack("<6f", 1.0, -2.0, 0.5, 3.25, -0.125, 100.0)),
    ("bias", "F64", [2], struct.pack("<2d", 0.1, -1e300)),
    ("half", "F16", [3], struct.pack("<3e", 1.5, -65504.0, 0.000061035156)),
    ("brain", "BF16", [2], bf16(1.5) + bf16(-3.0)),
    ("steps", "I64", [3], struct.pack("<3q", -(2 ** 63), 0, 2 ** 63 - 1)),
    ("ints", "I32", [2, 2], struct.pack("<4i", -7, 2 ** 31 - 1, -(2 ** 31), 42)),
    ("shorts", "I16", [2], struct.pack("<2h", -32768, 1234)),
    ("bytes", "I8", [3], struct.pack("<3b", -128, 0, 127)),
    ("pixels", "U8", [1, 4], bytes([0, 1, 128, 255])),
    ("mask", "BOOL", [3], bytes([1, 0, 1])),
    ("empty", "F32", [0, 5], b""),
    ("scalar", "F32", [], struct.pack("<f", 7.0)),
]

METADATA = {"format": "pt", "architecture": "{\"kind\": \"unet\", \"width\": 64}"}


def build():
    header = {"__metadata__": METADATA}
    buffer = b""
    for name, dtype, shape, data in TENSORS:
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(buffer), len(buffer) + len(data)]}
        buffer += data
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + buffer


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    output = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "golden.safetensors")
    with open(output, "wb") as f:
        f.write(build())
