#!/usr/bin/env python3
"""Lists the text chunks of a PNG, independently of the C++ reader, with the
standard library only: checks the signature and every chunk's CRC (zlib.crc32),
decodes tEXt (Latin-1) and uncompressed or compressed iTXt (UTF-8), and prints
{"chunks": [types in order], "text": {key: value}} as JSON.
Usage: python3 read_png_text.py FILE
"""
import json
import struct
import sys
import zlib


def main(path):
    with open(path, "rb") as f:
        raw = f.read()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n", "bad signature"
    at, chunks, text = 8, [], {}
    while True:
        length, kind = struct.unpack(">I4s", raw[at:at + 8])
        data = raw[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", raw[at + 8 + length:at + 12 + length])
        assert crc == zlib.crc32(kind + data), "CRC mismatch in %s" % kind
        chunks.append(kind.decode("ascii"))
        if kind == b"tEXt":
            key, value = data.split(b"\0", 1)
            text[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"iTXt":
            key, rest = data.split(b"\0", 1)
            compressed, rest = rest[0], rest[2:]
            _language, _translated, value = rest.split(b"\0", 2)
            text[key.decode("latin-1")] = (zlib.decompress(value) if compressed else value).decode("utf-8")
        at += 12 + length
        if kind == b"IEND":
            break
    json.dump({"chunks": chunks, "text": text}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
