#!/usr/bin/python3
"""Writes the seed corpora of fuzz_safetensors and fuzz_workspace.

usage: python3 fuzz/seeds/make_seeds.py   (from the repository root)

safetensors: small valid files (F32, I64, BOOL and empty tensors, a model file
whose metadata passes the model checks with the shipped model's architecture)
and broken ones the reader must refuse (each names its flaw). workspace: a
full workspace with an embedded schedule, a minimal one, and broken ones.
Files are written by hand from the formats: 8-byte little-endian header length,
JSON header, data buffer; no safetensors package is needed.
"""
import json
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def safetensors(tensors, metadata=None, pad=True):
    """tensors: list of (name, dtype, shape, bytes)."""
    header, buffer = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(buffer), len(buffer) + len(data)]}
        buffer += data
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + buffer


def raw(header_text, buffer=b""):
    text = header_text.encode()
    return struct.pack("<Q", len(text)) + text + buffer


def f32(*values):
    return struct.pack(f"<{len(values)}f", *values)


ARCHITECTURE = {"format": "ddsm-net-config", "version": 1, "architecture": "slimmable-ddpm-unet",
                "image_size": 28, "channels": 1, "base_channels": 32, "channel_mult": [1, 1, 2],
                "num_res_blocks": 1, "attention_levels": [2], "middle_attention": True, "dropout": 0.1,
                "norm_groups": 8, "widths": [1.0, 0.75, 0.5, 0.25], "divisor": 8, "linear_divisor": 16,
                "diffusion": {"T": 1000, "beta_schedule": "linear", "beta_start": 0.0001, "beta_end": 0.02,
                              "prediction": "epsilon"}}
MODEL_METADATA = {"format": "ddsm-model", "format_version": "1", "architecture": json.dumps(ARCHITECTURE),
                  "provenance": json.dumps({"created_by": "ddsm train", "steps": 20000})}

SAFETENSORS = {
    "two-tensors.safetensors": safetensors([("w", "F32", [2, 2], f32(1, 2, 3, 4)),
                                            ("step", "I64", [], struct.pack("<q", 7))], {"note": "seed"}),
    "dtypes.safetensors": safetensors([("b", "BOOL", [3], b"\x01\x00\x01"), ("h", "F16", [1], b"\x00\x3c"),
                                       ("bf", "BF16", [1], b"\x80\x3f"), ("e", "F32", [0, 3], b""),
                                       ("u", "U8", [2], b"\x00\xff"), ("d", "F64", [1], struct.pack("<d", 0.5))]),
    "model-metadata.safetensors": safetensors([("stem.weight", "F32", [2, 1, 1, 1], f32(0.5, -0.5))],
                                              MODEL_METADATA),
    "empty-header.safetensors": raw("{}      "),
    # Broken: each must be refused.
    "overlap.safetensors": raw('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
                               '"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', f32(1)),
    "gap.safetensors": raw('{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', b"\x00\x01"),
    "duplicate-name.safetensors": raw('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},'
                                      '"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', b"\x00"),
    "huge-shape.safetensors": raw('{"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}',
                                  b"\x00" * 8),
    "header-past-end.safetensors": struct.pack("<Q", 1000) + b"{}",
    "truncated-data.safetensors": raw('{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', f32(1)),
    "model-newer-version.safetensors": safetensors([], dict(MODEL_METADATA, format_version="2")),
    "model-bad-architecture.safetensors": safetensors(
        [], dict(MODEL_METADATA, architecture=json.dumps(dict(ARCHITECTURE, image_size=1e42)))),
    # Once divided base_channels by zero before the divisor was checked.
    "model-divisor-zero.safetensors": safetensors(
        [], dict(MODEL_METADATA, architecture=json.dumps(dict(ARCHITECTURE, divisor=0)))),
}

SCHEDULE = json.load(open(os.path.join(CORPUS, "schedule", "golden_v1.json")))
WORKSPACE = {"format": "ddsm-workspace", "version": 1, "model": "/models/fmnist-default.safetensors",
             "schedule": SCHEDULE,
             "sampler": {"kind": "ddim", "steps": 50, "eta": 0.0, "seed": 1234, "count": 16},
             "show_x0": True, "layout": "AAAA/wAAAAH9AAAAAQ=="}

WORKSPACES = {
    "full.json": WORKSPACE,
    "minimal.json": {"format": "ddsm-workspace"},
    "sampler-only.json": {"format": "ddsm-workspace", "sampler": {"kind": "ddpm", "steps": 100.0,
                                                                    "seed": 18446744073709551615}},
    "steps-out-of-range.json": dict(WORKSPACE, sampler={"steps": 2.8e42}),
    "newer-version.json": dict(WORKSPACE, version=2),
}


def main():
    os.makedirs(os.path.join(CORPUS, "safetensors"), exist_ok=True)
    os.makedirs(os.path.join(CORPUS, "workspace"), exist_ok=True)
    for name, data in SAFETENSORS.items():
        with open(os.path.join(CORPUS, "safetensors", name), "wb") as f:
            f.write(data)
    for name, document in WORKSPACES.items():
        with open(os.path.join(CORPUS, "workspace", name), "w") as f:
            json.dump(document, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
