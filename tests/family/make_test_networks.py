"""Writes the TorchScript networks and checkpoints the family tests load.

usage: /usr/bin/python3 make_test_networks.py OUT_DIR

Tiny epsilon networks for 3x16x16 images whose multiply-accumulates per image
have a closed form (see TinyEps), members that fail in known ways, and
checkpoints that are not in the layout of DDSM's training code.
"""
import os
import sys

import torch
from torch import nn


class TinyEps(nn.Module):
    """MACs per 3x16x16 image: 256*27*h (conv_in) + h (time) + 256*27*h (conv_out) = 13825*h."""

    def __init__(self, hidden: int):
        super().__init__()
        self.conv_in = nn.Conv2d(3, hidden, 3, padding=1)
        self.time = nn.Linear(1, hidden)
        self.conv_out = nn.Conv2d(hidden, 3, 3, padding=1)

    def forward(self, x, t):
        temb = self.time(t.float().unsqueeze(1) / 1000.0)
        h = torch.nn.functional.silu(self.conv_in(x) + temb[:, :, None, None])
        return self.conv_out(h)


class Downsampling(nn.Module):
    """Returns half-size images: a shape mismatch with the family."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 3, stride=2, padding=1)

    def forward(self, x, t):
        return self.conv(x)


class Grayscale(nn.Module):
    """Built for 1-channel images: fails on the family's 3-channel batch."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 3, padding=1)

    def forward(self, x, t):
        return self.conv(x)


class Raising(nn.Module):
    def forward(self, x, t):
        if x.size(1) != 5:
            raise RuntimeError("this network only takes 5-channel input")
        return x


class Scaling(nn.Module):
    """Runs no convolution, linear or matmul op: its cost cannot be counted."""

    def forward(self, x, t):
        return x * 0.5


def save_script(module, path):
    torch.jit.script(module.eval()).save(path)


def main(out):
    torch.manual_seed(7)
    save_script(TinyEps(8), os.path.join(out, "wide.pt"))
    save_script(TinyEps(4), os.path.join(out, "narrow.pt"))
    save_script(Downsampling(), os.path.join(out, "downsampling.pt"))
    save_script(Grayscale(), os.path.join(out, "grayscale.pt"))
    save_script(Raising(), os.path.join(out, "raising.pt"))
    save_script(Scaling(), os.path.join(out, "scaling.pt"))
    with open(os.path.join(out, "not_torchscript.pt"), "w") as f:
        f.write("not a zip archive\n")
    torch.save(torch.zeros(3), os.path.join(out, "ckpt_not_a_dict.pt"))
    torch.save({"model": {"w": torch.zeros(2)}, "step": 3}, os.path.join(out, "ckpt_other_layout.pt"))
    torch.save({"ema_model": {"w": torch.zeros(2)}, "net_model": {"w": torch.zeros(2)}},
               os.path.join(out, "ckpt_not_a_unet.pt"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
