#!/usr/bin/python3
"""Nearly singular statistics as FID meets them, and scipy's distances for them.

usage: /usr/bin/python3 scipy_near_singular.py TRAIN_STATS.npz OUT_DIR

Writes OUT_DIR/<case>.npz (mu1, sigma1, mu2, sigma2, and features2: the
float32 samples behind mu2 and sigma2) and prints a JSON object
{case: distance} with distances from scipy's sqrtm formula (pytorch-fid's).
Cases, seeded:
- fmnist_vs_2000 / fmnist_vs_300: the shipped training statistics (128-d,
  rank 82: dead features) against 2,000 / 300 draws from a shifted and scaled
  copy of them, stored as float32 like real features; their smallest genuine
  eigenvalues of S1 S2 are ~1e-10.
- relu_400_vs_300: 128-d ReLU features of 40-d latents (a few dead units),
  400 and 300 samples: ill-conditioned, no exact zeros.
"""
import json
import os
import sys

import numpy as np
from scipy import linalg

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__))))
from make_golden import frechet_distance_pytorch_fid  # noqa: E402


def stats(x):
    """mu, sigma of the float32 features x (computed in float64), and x."""
    x = x.astype(np.float32)
    wide = x.astype(np.float64)
    return wide.mean(axis=0), np.cov(wide, rowvar=False), x


def draws_like(mu, sigma, n, rng):
    w, v = np.linalg.eigh(sigma)
    z = rng.normal(size=(n, mu.shape[0]))
    return (z * np.sqrt(np.clip(w, 0, None))) @ v.T * 1.05 + mu + 0.05


def relu_features(n, rng, weights, bias):
    return np.maximum(rng.normal(size=(n, weights.shape[0])) @ weights + bias, 0)


def main(train_stats, out):
    ref = np.load(train_stats)
    mu1, s1 = ref["mu"].astype(np.float64), ref["sigma"].astype(np.float64)
    cases = {}
    rng = np.random.default_rng(2024)
    for n in (2000, 300):
        cases[f"fmnist_vs_{n}"] = (mu1, s1) + stats(draws_like(mu1, s1, n, rng))
    weights = rng.normal(size=(40, 128))
    bias = rng.normal(size=128)
    bias[:6] = -100.0  # dead units: constant 0, zero variance
    cases["relu_400_vs_300"] = stats(relu_features(400, rng, weights, bias))[:2] + \
        stats(relu_features(300, rng, weights * 1.1, bias + 0.1))
    distances = {}
    for name, (m1, c1, m2, c2, x2) in cases.items():
        np.savez(os.path.join(out, name + ".npz"), mu1=m1, sigma1=c1, mu2=m2, sigma2=c2, features2=x2)
        distances[name] = frechet_distance_pytorch_fid(m1, c1, m2, c2)
    print(json.dumps(distances))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
