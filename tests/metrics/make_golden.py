#!/usr/bin/python3
"""Golden data for test_metrics: Frechet distances from scipy's sqrtm (the way
pytorch-fid computes them) and a KID value from a plain numpy estimator.

Remake (from the repository root, with Debian's python3-numpy and python3-scipy):
    /usr/bin/python3 tests/metrics/make_golden.py
It rewrites tests/metrics/data/*.npz and tests/metrics/data/golden.json.
Seeds are fixed, so the outputs only change if numpy's generators change.
"""
import json
import os

import numpy as np
from scipy import linalg

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def frechet_distance_pytorch_fid(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """pytorch-fid's calculate_frechet_distance, kept verbatim in substance."""
    diff = mu1 - mu2
    covmean, _ = linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError("imaginary component %s" % np.max(np.abs(covmean.imag)))
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2)
                 - 2 * np.trace(covmean))


def kid_unbiased(x, y):
    """Unbiased MMD^2 with the cubic polynomial kernel (x.y/d + 1)^3
    (Binkowski et al. 2018), one subset holding every sample, sizes may differ."""
    d = x.shape[1]
    m, n = x.shape[0], y.shape[0]
    kxx = (x @ x.T / d + 1) ** 3
    kyy = (y @ y.T / d + 1) ** 3
    kxy = (x @ y.T / d + 1) ** 3
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1))
                 + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                 - 2 * kxy.sum() / (m * n))


def stats(features):
    return features.mean(axis=0), np.cov(features, rowvar=False)


def random_spd(rng, d):
    a = rng.normal(size=(d, d))
    return a @ a.T / d + np.eye(d)


def main():
    os.makedirs(DATA, exist_ok=True)
    golden = {"frechet": [], "kid": []}

    def add_frechet(name, mu1, s1, mu2, s2, saver, note, **extra):
        path = name + ".npz"
        saver(os.path.join(DATA, path), mu1=mu1, sigma1=s1, mu2=mu2, sigma2=s2, **extra)
        golden["frechet"].append({
            "name": name, "file": path, "dim": int(mu1.shape[0]), "note": note,
            "distance": frechet_distance_pytorch_fid(mu1, s1, mu2, s2)})

    rng = np.random.default_rng(20240601)
    d = 8
    add_frechet("d8_well_conditioned", rng.normal(size=d), random_spd(rng, d),
                rng.normal(size=d), random_spd(rng, d), np.savez,
                "random SPD covariances A A^T/d + I")

    # Features are stored as float32 (the reader's '<f4' path); the statistics
    # are computed from exactly those float32 values in float64.
    rng = np.random.default_rng(7)
    d = 64
    x1 = rng.normal(size=(200, d)).astype(np.float32)
    x2 = (rng.normal(size=(300, d)) * 1.2 + 0.3).astype(np.float32)
    mu1, s1 = stats(x1.astype(np.float64))
    mu2, s2 = stats(x2.astype(np.float64))
    add_frechet("d64_from_200", mu1, s1, mu2, s2, np.savez,
                "statistics of 200 and 300 samples; features1/2 hold the samples",
                features1=x1, features2=x2)
    # A reference file as pytorch-fid writes it: only mu and sigma.
    np.savez(os.path.join(DATA, "pytorch_fid_reference.npz"), mu=mu2, sigma=s2)

    # 20 samples in 32 dimensions: both covariances have rank 19.
    rng = np.random.default_rng(11)
    d = 32
    y1 = rng.normal(size=(20, d))
    y2 = rng.normal(size=(20, d)) * 0.8 - 0.2
    mu1, s1 = stats(y1)
    mu2, s2 = stats(y2)
    add_frechet("d32_from_20_near_singular", mu1, s1, mu2, s2, np.savez_compressed,
                "rank-deficient covariances (20 samples, 32 dims), compressed npz")

    rng = np.random.default_rng(3)
    d = 16
    mu, s = rng.normal(size=d), random_spd(rng, d)
    add_frechet("identical", mu, s, mu, s, np.savez, "same statistics twice: distance 0")

    rng = np.random.default_rng(5)
    kx = rng.normal(size=(60, 16))
    ky = rng.normal(size=(50, 16)) * 1.1 + 0.2
    np.savez(os.path.join(DATA, "kid_small.npz"), x=kx, y=ky)
    golden["kid"].append({"name": "kid_small", "file": "kid_small.npz",
                          "mmd2_unbiased": kid_unbiased(kx, ky)})

    with open(os.path.join(DATA, "golden.json"), "w") as f:
        json.dump(golden, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
