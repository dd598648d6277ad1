#!/usr/bin/python3
"""Mutation fuzzing of the checkpoint reader (scripts/ddsm_import_checkpoint.py).

libFuzzer cannot drive Python, so this harness does what a fuzz target does:
it mutates the seed checkpoints (fuzz/corpus/checkpoint_reader: made by
fuzz/seeds/make_checkpoint_seeds.py) and runs the reader's own main() on each
input, in this process. Mutations work at three levels: the file's bytes; the
zip entries (data.pkl and storages changed, renamed, dropped, duplicated,
deflated; a big-endian byteorder); and the pickle's opcodes (deleted,
duplicated, swapped, integers and strings replaced by extreme values and by
the names of dangerous globals, opcodes of code-running shapes inserted). An
input whose outcome (exit code and the first words of the message) is new
joins the corpus, a crude stand-in for coverage feedback.

An input fails the run when
- it runs code: an audit hook watches for process, exec, compile, import and
  pickle global lookups, and files written outside the scratch folder; the
  hostile seeds' markers must never appear in /tmp/ddsm-fuzz-checkpoint;
- it is refused other than cleanly: the reader must exit 0 (imported) or 3
  (refused with a message naming the file); any escaping exception, another
  exit code, or a message without the file's name is a finding;
- it takes more than 1 s of CPU time twice in a row (a hang: one slow run is
  run again, as a pause of the machine is not the input's), or raises the process's peak
  memory by more than 1 GB.
Findings are written to build/fuzz/findings/checkpoint_reader/ with the
traceback.

usage: /usr/bin/python3 fuzz/fuzz_checkpoint_reader.py [--runs N] [--seconds S] [--seed K] CORPUS_DIR...
       /usr/bin/python3 fuzz/fuzz_checkpoint_reader.py --control CORPUS_DIR...
Prints libFuzzer-style final statistics (stat::number_of_executed_units, ...).
--control is the check of the checks: the reader with pickle's own find_class
(which imports and returns any global) must be caught running the hostile
seeds; it exits 0 when it is.
Needs numpy (python3-numpy); not PyTorch.
"""
import importlib.util
import io
import os
import pickle
import pickletools
import random
import re
import resource
import shutil
import signal
import sys
import time
import traceback
import warnings
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
READER = os.path.join(ROOT, "scripts", "ddsm_import_checkpoint.py")
MARKERS = "/tmp/ddsm-fuzz-checkpoint"
SCRATCH = f"/dev/shm/ddsm-fuzz-checkpoint-{os.getpid()}" if os.path.isdir("/dev/shm") else \
    f"/tmp/ddsm-fuzz-checkpoint-{os.getpid()}"
FINDINGS = os.path.join(ROOT, "build", "fuzz", "findings", "checkpoint_reader")
CPU_LIMIT_S = 1.0
MEMORY_LIMIT_KB = 1 << 20  # 1 GB above the peak before the input
MAX_CORPUS = 4000
MAX_INPUT = 1 << 20


class Hang(BaseException):
    """Raised by the CPU timer; a BaseException so that the reader's `except Exception` cannot swallow it."""


class CodeRan(BaseException):
    """Raised by the audit hook when an input makes the reader do what only code would."""


def load_reader():
    spec = importlib.util.spec_from_file_location("ddsm_import_checkpoint", READER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------ watching

WATCHING = False
FORBIDDEN_EVENTS = ("os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "subprocess.Popen",
                    "exec", "compile", "import", "pickle.find_class", "ctypes.", "builtins.input", "socket.",
                    "os.remove", "os.unlink", "os.rename", "os.rmdir", "os.chmod", "shutil.")


def audit(event, args):
    if not WATCHING:
        return
    if event == "open":
        path, mode = args[0], args[1]
        writing = isinstance(mode, str) and any(c in mode for c in "wax+")
        if writing and not str(path).startswith(SCRATCH):
            raise CodeRan(f"opened {path!r} for writing")
        return
    if event.startswith(FORBIDDEN_EVENTS):
        raise CodeRan(f"audit event {event} {args!r:.200}")


# ------------------------------------------------------------------ mutations

DANGEROUS_GLOBALS = [("posix", "system"), ("os", "system"), ("builtins", "eval"), ("builtins", "exec"),
                     ("builtins", "getattr"), ("subprocess", "Popen"), ("torch.storage", "_load_from_bytes"),
                     ("torch", "load"), ("numpy", "load"), ("collections", "OrderedDict"),
                     ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_parameter"),
                     ("torch", "FloatStorage"), ("torch", "BoolStorage"), ("torch", "UntypedStorage"),
                     ("torch._utils", "_rebuild_parameter_with_state"), ("__main__", "Tensor"),
                     ("ddsm_import_checkpoint", "write_safetensors")]
INTERESTING_INTS = [0, 1, -1, 2, 255, 256, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 63 - 1, 2 ** 63, 2 ** 64, -2 ** 63,
                    10 ** 18, 10 ** 30, 10 ** 5000, -10 ** 5000]
INTERESTING_STRINGS = ["", "ema_model", "net_model", "step", "x_T", "storage", "0", "1", "cpu", "module.w",
                       "__metadata__", "\ud800", "a" * 5000, "../../etc/passwd", "data.pkl"]


def pickled(value):
    """The opcodes that push `value` (pickle.dumps without PROTO and STOP)."""
    data = pickle.dumps(value, protocol=2)
    return data[2:-1]


def global_opcodes(module, name, rng):
    if rng.random() < 0.5:
        return f"c{module}\n{name}\n".encode()
    return pickled(module) + pickled(name) + b"\x93"  # STACK_GLOBAL


SNIPPETS = [b"(", b")", b"R", b"b", b"\x81", b"\x92", b"s", b"u", b"a", b"e", b"t", b"\x85", b"\x86", b"\x87",
            b"0", b"1", b"2", b"N", b"\x88", b"\x89", b"}", b"]", b"Q", b"P0\n", b"h\x00", b"q\x00", b"j\x00\x00\x00\x00",
            b"\x82\x01", b"\x83\x01\x00", b"\x84\x01\x00\x00\x00", b"o", b"i", b"\x94", b"\x95", b"\x8c\x05posix",
            b"\x8a\x09" + b"\xff" * 9, b"\x8b\xff\xff\x00\x00" + b"\x01" * 16, b"J\xff\xff\xff\x7f", b"G\x7f\xf0" + b"\x00" * 6,
            b"K\x00", b"M\xff\xff", b"\x8d" + (2 ** 40).to_bytes(8, "little"), b"\x8e" + (2 ** 40).to_bytes(8, "little")]


def opcode_spans(data):
    """Byte spans of the pickle's opcodes, or None when genops cannot walk it."""
    try:
        positions = [pos for _, _, pos in pickletools.genops(data)]
    except Exception:  # noqa: BLE001 - a mutated pickle may not parse; byte mutations still apply
        return None
    ends = positions[1:] + [len(data)]
    return [data[a:b] for a, b in zip(positions, ends)]


def mutate_pickle(data, rng):
    spans = opcode_spans(data)
    if not spans or len(spans) < 2:
        return mutate_bytes(data, rng)
    i = rng.randrange(len(spans) - 1)  # never the final STOP
    choice = rng.randrange(8)
    if choice == 0:
        del spans[i]
    elif choice == 1:
        spans.insert(i, spans[i])
    elif choice == 2:
        j = rng.randrange(len(spans) - 1)
        spans[i], spans[j] = spans[j], spans[i]
    elif choice == 3:
        spans[i] = pickled(rng.choice(INTERESTING_INTS))
    elif choice == 4:
        spans[i] = pickled(rng.choice(INTERESTING_STRINGS))
    elif choice == 5:
        spans.insert(i, global_opcodes(*rng.choice(DANGEROUS_GLOBALS), rng))
    elif choice == 6:
        spans.insert(i, rng.choice(SNIPPETS))
    else:
        spans[i] = mutate_bytes(spans[i], rng) if spans[i] else spans[i]
    return b"".join(spans)


def mutate_bytes(data, rng):
    data = bytearray(data)
    for _ in range(1 + int(rng.expovariate(1.0))):
        choice = rng.randrange(6)
        if not data:
            data += bytes([rng.randrange(256)])
            continue
        i = rng.randrange(len(data))
        if choice == 0:
            data[i] ^= 1 << rng.randrange(8)
        elif choice == 1:
            data[i] = rng.choice([0, 1, 0x7F, 0x80, 0xFF, rng.randrange(256)])
        elif choice == 2:
            del data[i:i + rng.randrange(1, 16)]
        elif choice == 3:
            data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
        elif choice == 4:
            width = rng.choice([2, 4, 8])
            data[i:i + width] = rng.choice([0, 2 ** (8 * width) - 1, 2 ** (8 * width - 1)]).to_bytes(width, "little")
        else:
            del data[i:]
    return bytes(data[:MAX_INPUT])


def read_entries(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [(info.filename, archive.read(info)) for info in archive.infolist()]
    except Exception:  # noqa: BLE001 - not a readable zip: mutate its bytes instead
        return None


def write_entries(entries, rng):
    out = io.BytesIO()
    compression = zipfile.ZIP_DEFLATED if rng.random() < 0.1 else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, payload in entries:
            archive.writestr(zipfile.ZipInfo(name), payload)
    return out.getvalue()


def mutate_zip(data, rng, other):
    entries = read_entries(data)
    if not entries:
        return mutate_bytes(data, rng)
    pickles = [k for k, (name, _) in enumerate(entries) if name.endswith("data.pkl")]
    choice = rng.randrange(10)
    if pickles and choice < 5:
        k = rng.choice(pickles)
        entries[k] = (entries[k][0], mutate_pickle(entries[k][1], rng))
    elif pickles and choice == 5:  # another seed's pickle in this archive
        donor = read_entries(other) or []
        donors = [payload for name, payload in donor if name.endswith("data.pkl")]
        if donors:
            k = rng.choice(pickles)
            entries[k] = (entries[k][0], rng.choice(donors))
    elif choice == 6:
        k = rng.randrange(len(entries))
        entries[k] = (entries[k][0], mutate_bytes(entries[k][1], rng))
    elif choice == 7:
        k = rng.randrange(len(entries))
        name = entries[k][0]
        entries[k] = (rng.choice([name + "x", name.replace("/", "/../"), "data.pkl", "a/b/data.pkl", "/" + name,
                                  name.split("/")[0] + "/data/" + str(rng.randrange(4)), name.upper()]), entries[k][1])
    elif choice == 8:
        k = rng.randrange(len(entries))
        if rng.random() < 0.5:
            del entries[k]
        else:
            entries.insert(k, entries[k])
    else:
        prefix = entries[0][0].split("/")[0]
        entries.append((prefix + "/byteorder", rng.choice([b"big", b"little", b"", b"\xff"])))
    return write_entries(entries, rng)


def mutate(data, rng, other):
    r = rng.random()
    if r < 0.6:
        return mutate_zip(data, rng, other)
    if r < 0.9:
        return mutate_bytes(data, rng)
    cut = rng.randrange(len(data) + 1)  # splice two inputs
    return (data[:cut] + other[rng.randrange(len(other) + 1):])[:MAX_INPUT]


# ------------------------------------------------------------------ running


def on_timer(signum, frame):
    raise Hang()


def outcome_signature(code, message):
    words = re.sub(r"[0-9]+", "N", message.replace(SCRATCH, "")).split()[:7]
    return (code, " ".join(words))


class Finding(Exception):
    pass


def run_one(reader, data, input_path, output_path, stderr_buffer, watch=True):
    """Runs the reader's main() on `data`; returns (exit code, message) or raises Finding."""
    global WATCHING
    with open(input_path, "wb") as f:
        f.write(data)
    stderr_buffer.seek(0)
    stderr_buffer.truncate()
    code = None
    start = time.process_time()
    signal.setitimer(signal.ITIMER_PROF, CPU_LIMIT_S)
    WATCHING = watch
    try:
        try:
            code = reader.main([input_path, output_path])
        finally:
            WATCHING = False
            signal.setitimer(signal.ITIMER_PROF, 0)
    except SystemExit as done:
        code = done.code
    except Hang:
        raise Finding(f"hang: more than {CPU_LIMIT_S} s of CPU time") from None
    except CodeRan as ran:
        raise Finding(f"the input ran code: {ran}") from None
    except BaseException:  # noqa: BLE001 - anything escaping main() is the finding itself
        raise Finding("an exception escaped the reader:\n" + traceback.format_exc()) from None
    elapsed = time.process_time() - start
    message = stderr_buffer.getvalue().strip()
    if code not in (0, 3):
        raise Finding(f"exit code {code!r} (expected 0 or 3): {message}")
    if code == 3 and not message.startswith(input_path):
        raise Finding(f"a refusal that does not name the file: {message!r}")
    return code, message, elapsed


def run_control(reader, named, input_path, output_path, stderr_buffer, real_stderr):
    """The reader with pickle's own find_class must be caught running every hostile seed's payload."""
    global FORBIDDEN_EVENTS
    reader.RestrictedUnpickler.find_class = pickle.Unpickler.find_class
    # Looking globals up is what the control reader does; running them is what must be caught.
    FORBIDDEN_EVENTS = tuple(e for e in FORBIDDEN_EVENTS if e not in ("import", "pickle.find_class"))
    hostile = sorted(name for name in named if name.startswith("hostile_"))
    missed = []
    for name in hostile:
        sys.stderr = stderr_buffer
        try:
            run_one(reader, named[name], input_path, output_path, stderr_buffer)
            missed.append(name)
        except Finding as finding:
            sys.stderr = real_stderr
            print(f"control: {name}: caught: {str(finding)[:160]}")
        finally:
            sys.stderr = real_stderr
    if missed or not hostile or os.listdir(MARKERS):
        print(f"control: payloads not caught: {missed or 'no hostile seeds'}; markers: {os.listdir(MARKERS)}",
              file=sys.stderr)
        return 1
    return 0


def main(argv):
    runs, seconds, seed, dirs, control = 10 ** 6, None, None, [], False
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--runs":
            runs = int(args.pop(0))
        elif a == "--seconds":
            seconds = float(args.pop(0))
        elif a == "--seed":
            seed = int(args.pop(0))
        elif a == "--control":
            control = True
        else:
            dirs.append(a)
    if not dirs:
        sys.stderr.write(__doc__)
        return 2
    seed = seed if seed is not None else int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    named = {}
    for d in dirs:
        for name in sorted(os.listdir(d)):
            with open(os.path.join(d, name), "rb") as f:
                named[name] = f.read()
    corpus = list(named.values())
    print(f"INFO: seed {seed}, {len(corpus)} seed inputs from {', '.join(dirs)}", flush=True)

    warnings.simplefilter("ignore")  # zipfile warns of the duplicate entries the mutations write
    reader = load_reader()
    # What the reader's libraries import lazily on first use (zip names in
    # cp437, compressed entries), imported now so that the audit hook can
    # treat any import during a run as a global lookup.
    for module in ("encodings.cp437", "encodings.utf_8", "zlib", "bz2", "lzma", "numpy.core._exceptions"):
        try:
            importlib.import_module(module)
        except ImportError:
            pass
    os.makedirs(SCRATCH, exist_ok=True)
    os.makedirs(MARKERS, exist_ok=True)
    input_path, output_path = os.path.join(SCRATCH, "input.pt"), os.path.join(SCRATCH, "out.safetensors")
    signal.signal(signal.SIGPROF, on_timer)
    real_stderr = sys.stderr
    stderr_buffer = io.StringIO()
    sys.addaudithook(audit)

    if control:
        return run_control(reader, named, input_path, output_path, stderr_buffer, real_stderr)

    # One unwatched pass over the seeds warms up the rest of the lazy imports.
    sys.stderr = stderr_buffer
    try:
        for data in corpus:
            try:
                run_one(reader, data, input_path, output_path, stderr_buffer, watch=False)
            except Finding:
                pass  # counted when the seed runs again, watched, below
    finally:
        sys.stderr = real_stderr

    seen = set()
    executed, imported, slowest, started = 0, 0, 0.0, time.time()
    unrepeated_hangs = 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    failure = None
    queue = list(corpus)  # the seeds run unchanged first
    try:
        while executed < runs and (seconds is None or time.time() - started < seconds):
            if queue:
                data = queue.pop(0)
            else:
                data = mutate(rng.choice(corpus), rng, rng.choice(corpus))
            sys.stderr = stderr_buffer
            try:
                try:
                    code, message, elapsed = run_one(reader, data, input_path, output_path, stderr_buffer)
                except Finding as finding:
                    if not str(finding).startswith("hang"):
                        raise
                    # A hang must repeat: a pause of the machine (or of the collector) is not the input's.
                    code, message, elapsed = run_one(reader, data, input_path, output_path, stderr_buffer)
                    unrepeated_hangs += 1
            except Finding as finding:
                failure = (str(finding), data)
                break
            finally:
                sys.stderr = real_stderr
            executed += 1
            imported += code == 0
            slowest = max(slowest, elapsed)
            now_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            if now_peak - peak > MEMORY_LIMIT_KB:
                failure = (f"peak memory rose by {(now_peak - peak) // 1024} MB on one input", data)
                break
            peak = max(peak, now_peak)
            signature = outcome_signature(code, message)
            if signature not in seen:
                seen.add(signature)
                if len(corpus) < MAX_CORPUS:
                    corpus.append(data)
            if executed % 1000 == 0 and os.listdir(MARKERS):
                failure = (f"a hostile payload ran: {os.listdir(MARKERS)}", data)
                break
            if executed % 20000 == 0:
                rate = executed / max(time.time() - started, 1e-9)
                print(f"#{executed} corp: {len(corpus)} outcomes: {len(seen)} imported: {imported} "
                      f"exec/s: {rate:.0f} slowest: {slowest * 1000:.0f} ms", flush=True)
    finally:
        sys.stderr = real_stderr
    if failure is None and os.listdir(MARKERS):
        failure = (f"a hostile payload ran: {os.listdir(MARKERS)}", b"")

    wall = time.time() - started
    print(f"stat::number_of_executed_units: {executed}")
    print(f"stat::average_exec_per_sec:     {executed / max(wall, 1e-9):.0f}")
    print(f"stat::seconds:                  {wall:.0f}")
    print(f"stat::distinct_outcomes:        {len(seen)}")
    print(f"stat::imported_inputs:          {imported}")
    print(f"stat::slowest_unit_cpu_ms:      {slowest * 1000:.0f}")
    print(f"stat::unrepeated_hangs:         {unrepeated_hangs}")
    print(f"stat::peak_rss_mb:              {peak // 1024}")
    if failure:
        os.makedirs(FINDINGS, exist_ok=True)
        path = os.path.join(FINDINGS, f"crash-{executed}.pt")
        with open(path, "wb") as f:
            f.write(failure[1])
        with open(path + ".txt", "w") as f:
            f.write(failure[0] + "\n")
        print(f"FINDING after {executed} runs: {failure[0]}\ninput written to {path}", file=sys.stderr)
        return 1
    print(f"Done {executed} runs in {wall:.0f} second(s)")
    return 0


if __name__ == "__main__":
    try:
        status = main(sys.argv[1:])
    finally:
        shutil.rmtree(SCRATCH, ignore_errors=True)
    sys.exit(status)
