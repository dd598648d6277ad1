#!/usr/bin/python3
"""Writes the seed corpus of the checkpoint-reader harness (fuzz/fuzz_checkpoint_reader.py), with PyTorch.

usage: /usr/bin/python3 fuzz/seeds/make_checkpoint_seeds.py   (from the repository root)

The checkpoints of tests/family/make_checkpoints.py, made small: a training
checkpoint in the paper's layout (state dicts, Adam and LambdaLR state, step,
x_T) over a tiny network instead of the golden one, the views-and-dtypes
checkpoint, and every hostile and misused-name checkpoint. The hostile ones
would create /tmp/ddsm-fuzz-checkpoint/marker-NAME if anything ran them; the
harness watches that folder.
"""
import os
import shutil
import sys
import tempfile

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tests", "family"))
import make_checkpoints  # noqa: E402

MARKERS = "/tmp/ddsm-fuzz-checkpoint"
CORPUS = os.path.join(ROOT, "fuzz", "corpus", "checkpoint_reader")


def main():
    torch.manual_seed(0)
    os.makedirs(MARKERS, exist_ok=True)
    os.makedirs(CORPUS, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        tiny = os.path.join(scratch, "tiny-golden.pt")
        state = {"conv.weight": torch.randn(4, 1, 3, 3), "conv.bias": torch.zeros(4),
                 "norm.weight": torch.ones(4), "head.weight": torch.randn(1, 4, 1, 1)}
        torch.save({"ema_model": state, "x_T": torch.randn(1, 1, 4, 4)}, tiny)
        make_checkpoints.training_checkpoint(scratch, tiny)
        make_checkpoints.dtypes_checkpoint(scratch)
        make_checkpoints.hostile_checkpoints(MARKERS)  # payloads name the marker folder
        for name in sorted(os.listdir(MARKERS)):
            if name.endswith(".pt"):
                shutil.move(os.path.join(MARKERS, name), os.path.join(CORPUS, name))
        for name in ("training.pt", "dtypes.pt"):
            shutil.copy(os.path.join(scratch, name), os.path.join(CORPUS, name))


if __name__ == "__main__":
    main()
