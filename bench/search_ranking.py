#!/usr/bin/python3
"""How well does a search's score rank schedules? Kendall tau against paired
differences measured on many images of noise the search never saw.

Takes N schedules under the budget from a finished `ddsm search` run (its
archive in DIR/checkpoint.json), spread evenly over the range of their search
scores, samples them with `ddsm compare` next to full width on fresh noise, and
prints the Kendall tau between the search's score and FID(schedule) -
FID(full width) on those images. One `ddsm compare` per schedule, full width's
features kept in OUT_DIR/features (--feature-store), so an interrupted run
resumes at the first schedule without OUT_DIR/compare-K.json.

usage: bench/search_ranking.py DDSM MODEL SEARCH_DIR OUT_DIR [--count N] [--samples M]
                               [--seed S] [--sampler ddpm --steps 100 ...]
Options after the known ones are passed to `ddsm compare` (sampler, threads).
Writes OUT_DIR/schedule-K.txt (the paper's search.txt layout), OUT_DIR/compare-K.json
and OUT_DIR/ranking.txt.
"""
import json
import os
import subprocess
import sys

from scipy.stats import kendalltau, spearmanr


def option(args, name, default):
    if name in args:
        i = args.index(name)
        value = args[i + 1]
        del args[i:i + 2]
        return value
    return default


def respaced_timesteps(T, steps):
    """The sampler's timesteps in denoising order (schedule/respacing.h)."""
    if steps == 1:
        return [T - 1]
    span, gaps = T - 1, steps - 1
    return [(2 * i * span + gaps) // (2 * gaps) for i in range(steps)][::-1]  # round half up, as in C++


def main(argv):
    args = list(argv)
    count = int(option(args, "--count", "20"))
    samples = option(args, "--samples", "2048")
    seed = option(args, "--seed", "2000003")
    if len(args) < 4:
        sys.exit(__doc__)
    ddsm, model, search_dir, out_dir = args[:4]
    compare_options = args[4:]
    os.makedirs(out_dir, exist_ok=True)

    checkpoint = json.load(open(os.path.join(search_dir, "checkpoint.json")))
    pareto = json.load(open(os.path.join(search_dir, "pareto.json")))
    settings = checkpoint["settings"]
    step_to_gene = settings["step_to_gene"]
    widths = pareto["widths"]
    per_width = pareto["cost"]["per_width"]
    budget = pareto["budget"]
    T = 1000
    timesteps = respaced_timesteps(T, len(step_to_gene))

    def step_widths(genome):
        return [widths[int(genome[g])] for g in step_to_gene]

    def relative_cost(genome):
        return sum(per_width[int(genome[g])] for g in step_to_gene) / (per_width[0] * len(step_to_gene))

    archive = [a for a in checkpoint["archive"] if relative_cost(a["genome"]) <= budget + 1e-12]
    archive.sort(key=lambda a: a["quality"])
    if len(archive) < count:
        sys.exit(f"only {len(archive)} schedules under the budget {budget}")
    picks = [archive[round(i * (len(archive) - 1) / (count - 1))] for i in range(count)]

    files = []
    for k, a in enumerate(picks):
        per_step = step_widths(a["genome"])
        by_t = [None] * T
        # Step i runs at t_i; the timesteps between it and the next step take its width.
        for i, t in enumerate(timesteps):
            lower = timesteps[i + 1] + 1 if i + 1 < len(timesteps) else 0
            for u in range(lower, t + 1):
                by_t[u] = per_step[i]
        for u in range(T):
            if by_t[u] is None:
                by_t[u] = per_step[0]
        path = os.path.join(out_dir, f"schedule-{k:02d}.txt")
        with open(path, "w") as f:
            f.write("[" + ", ".join(repr(w) for w in by_t) + "]\n")
        files.append(path)

    measured = []
    sampler = ""
    for k, path in enumerate(files):
        result_path = os.path.join(out_dir, f"compare-{k:02d}.json")
        if not os.path.exists(result_path):
            command = [ddsm, "compare", model, "width:1", path, "--samples", samples, "--seed", seed,
                       "--json", result_path, "--feature-store", os.path.join(out_dir, "features"),
                       *compare_options]
            print(" ".join(command), flush=True)
            subprocess.run(command, check=True)
        result = json.load(open(result_path))
        sampler = result["sampler"]
        measured.append(result["schedules"][1])

    scores = [a["quality"] for a in picks]
    truth = [m["fid_minus_first"] for m in measured]
    tau = kendalltau(scores, truth)
    rho = spearmanr(scores, truth)
    lines = [f"search: {search_dir} ({pareto['quality']}, racing to at most "
             f"{settings.get('racing_max_samples', 0)} images)",
             f"truth: ddsm compare, {samples} images of seed {seed}, {sampler}",
             f"{'cost':>6} {'search score':>13} {'+- se':>6} {'images':>6} {'paired diff':>12} {'95% interval':>18}"]
    for a, m in zip(picks, measured):
        low, high = m["fid_minus_first_interval"]
        lines.append(f"{m['relative_flops']:6.3f} {a['quality']:13.3f} {a.get('uncertainty', 0):6.2f} "
                     f"{a['samples']:6d} {m['fid_minus_first']:12.3f} [{low:+7.2f}, {high:+7.2f}]")
    lines.append(f"Kendall tau {tau.statistic if hasattr(tau, 'statistic') else tau[0]:.3f} "
                 f"(p {tau.pvalue:.2g}), Spearman rho {rho.correlation:.3f}, over {count} schedules")
    # The hard part of the ranking: schedules whose scores are close (picks are in score order).
    half = count // 2
    close = kendalltau(scores[:half], truth[:half])
    lines.append(f"Kendall tau {close.statistic if hasattr(close, 'statistic') else close[0]:.3f} "
                 f"(p {close.pvalue:.2g}) over the {half} best-scored")
    text = "\n".join(lines) + "\n"
    print(text)
    with open(os.path.join(out_dir, "ranking.txt"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
