#!/usr/bin/python3
"""Extract one state dict from a checkpoint of DDSM's training code, safely.

The paper's code saves `torch.save({'net_model': ..., 'ema_model': ..., 'sched': ...,
'optim': ..., 'step': ..., 'x_T': ...})`. This writes the chosen entry (a dict of
tensors) to a plain .safetensors file that `ddsm import-checkpoint` turns into a
model file.

A pickle can call any Python function, so the checkpoint is never unpickled by
torch or pickle's defaults: the zip archive torch.save writes is opened with
zipfile, its data.pkl is read by an Unpickler that knows only the globals a
checkpoint needs (OrderedDict, the tensor rebuild functions, storage types),
each mapped to a function of this file that builds a numpy array, and tensor
bytes come from the archive's data/ entries. Any other global is refused before
it is looked up. PyTorch is not imported at all.

usage: /usr/bin/python3 ddsm_import_checkpoint.py CKPT OUT.safetensors [--entry NAME]

Needs numpy. Exit codes: 0 done, 2 usage, 3 the file is not a checkpoint of the
expected layout (or holds something other than tensors and plain data),
4 numpy missing.
"""
import collections
import functools
import io
import json
import os
import pickle
import pickletools
import struct
import sys
import zipfile
import zlib

try:
    import numpy as np
except ImportError:
    sys.stderr.write(f"{sys.executable} has no numpy (install python3-numpy)\n")
    sys.exit(4)


class CheckpointError(Exception):
    """The file is not a checkpoint this reader accepts; the message says why."""


ONLY_DATA = "a checkpoint may only hold tensors, dicts, lists and numbers"
# Rebuilding a tensor copies it, and a pickle can rebuild one storage many times
# or view it with zero strides: a small file could ask for gigabytes and minutes.
# A checkpoint's tensors may hold twice the elements its storages store (views
# that share a storage) plus this slack (small expanded tensors).
EXPANSION_SLACK_ELEMENTS = 1 << 20

# torch storage type -> (numpy dtype as stored, safetensors dtype).
STORAGE_DTYPES = {
    "FloatStorage": ("<f4", "F32"),
    "DoubleStorage": ("<f8", "F64"),
    "HalfStorage": ("<f2", "F16"),
    "BFloat16Storage": ("<u2", "BF16"),  # widened to F32 below: numpy has no bfloat16
    "LongStorage": ("<i8", "I64"),
    "IntStorage": ("<i4", "I32"),
    "ShortStorage": ("<i2", "I16"),
    "CharStorage": ("<i1", "I8"),
    "ByteStorage": ("<u1", "U8"),
    "BoolStorage": ("<u1", "BOOL"),
    "UntypedStorage": ("<u1", "U8"),
}


def shown(value, limit=80):
    """repr() for messages: bounded, and safe for integers beyond str()'s 4300-digit limit."""
    if isinstance(value, int) and value.bit_length() > 256:
        return f"<an integer of {value.bit_length()} bits>"
    try:
        text = repr(value)
    except ValueError:  # a container holding such an integer
        return f"<a {type(value).__name__}>"
    return text if len(text) <= limit else text[:limit] + "..."


def refuse_state(self, state):
    """BUILD on a value of this reader: no pickle may set attributes on it."""
    what = {"StorageType": "storage type", "Storage": "storage", "Tensor": "tensor"}[type(self).__name__]
    raise CheckpointError(f"a {what} carries extra state (BUILD); " + ONLY_DATA)


class StorageType:
    """Stands for torch.<Name>Storage in the pickle: a name, never callable."""

    __slots__ = ("name",)
    __setstate__ = refuse_state

    def __init__(self, name):
        self.name = name


class Tensor:
    """A tensor read from the checkpoint: a numpy array and its safetensors dtype."""

    __slots__ = ("array", "dtype")
    __setstate__ = refuse_state

    def __init__(self, array, dtype):
        self.array = array
        self.dtype = dtype


class Storage:
    __slots__ = ("data", "dtype")
    __setstate__ = refuse_state

    def __init__(self, data, dtype):
        self.data = data
        self.dtype = dtype


class ElementBudget:
    """Elements stored in the checkpoint's storages and elements its tensors rebuild from them."""

    __slots__ = ("stored", "rebuilt")

    def __init__(self):
        self.stored = 0
        self.rebuilt = 0

    def spend(self, count):
        self.rebuilt += count
        allowed = 2 * self.stored + EXPANSION_SLACK_ELEMENTS
        if self.rebuilt > allowed:
            raise CheckpointError(f"its tensors would hold {self.rebuilt} elements from storages of {self.stored}: "
                                  f"a checkpoint's tensors may hold at most twice the elements stored plus "
                                  f"{EXPANSION_SLACK_ELEMENTS}")


def rebuild_tensor(budget, storage, storage_offset, size, stride, *_ignored):
    """torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])."""
    if not isinstance(storage, Storage):
        raise CheckpointError("a tensor's storage is not a storage of the archive")
    if not all(isinstance(v, int) for v in (storage_offset, *size, *stride)) or len(size) != len(stride):
        raise CheckpointError(f"a tensor has a malformed shape {shown(size)} or stride {shown(stride)}")
    if storage_offset < 0 or any(v < 0 for v in size) or any(v < 0 for v in stride):
        raise CheckpointError(f"a tensor has a negative offset, size or stride "
                              f"({shown(storage_offset)}, {shown(size)}, {shown(stride)})")
    data = storage.data
    count = int(np.prod(size, dtype=np.float64))
    if count > max(data.size, 1) and count > EXPANSION_SLACK_ELEMENTS:  # zero strides: a tiny file, a huge array
        raise CheckpointError(f"a tensor of shape {list(size)} expands a storage of {data.size} elements "
                              f"beyond {EXPANSION_SLACK_ELEMENTS}")
    budget.spend(count)
    if 0 in size:
        return Tensor(np.zeros(size, dtype=data.dtype), storage.dtype)
    last = storage_offset + sum((n - 1) * s for n, s in zip(size, stride))
    if last >= data.size:
        raise CheckpointError(f"a tensor of shape {list(size)} reaches element {last} of a storage of {data.size}")
    item = data.dtype.itemsize
    view = np.lib.stride_tricks.as_strided(data[storage_offset:], shape=tuple(size),
                                           strides=tuple(s * item for s in stride), writeable=False)
    return Tensor(np.array(view, copy=True), storage.dtype)


def rebuild_parameter(data, *_ignored):
    """torch._utils._rebuild_parameter(data, requires_grad, hooks[, state]): the data is all we keep."""
    if not isinstance(data, Tensor):
        raise CheckpointError("a parameter does not hold a tensor")
    return data


ALLOWED_GLOBALS = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): rebuild_tensor,  # bound to the file's ElementBudget below
    ("torch._utils", "_rebuild_parameter"): rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): rebuild_parameter,
}
ALLOWED_GLOBALS.update({("torch", name): StorageType(name) for name in STORAGE_DTYPES})


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickles data.pkl of a torch zip checkpoint with an allow-list of globals.

    find_class is the only way a pickle reaches a Python object by name (GLOBAL,
    STACK_GLOBAL, INST, OBJ and the EXT opcodes all go through it), so refusing
    here means nothing outside ALLOWED_GLOBALS can be called.
    """

    def __init__(self, data, archive, prefix, source):
        super().__init__(io.BytesIO(data))
        self.archive = archive
        self.prefix = prefix
        self.source = source
        self.storages = {}
        self.budget = ElementBudget()

    def find_class(self, module, name):
        found = ALLOWED_GLOBALS.get((module, name))
        if found is None:
            raise CheckpointError(f"{self.source}: refuses global {module}.{name}: {ONLY_DATA}")
        if found is rebuild_tensor:
            return functools.partial(rebuild_tensor, self.budget)
        return found

    def persistent_load(self, pid):
        # ('storage', storage type, key, location, element count)
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"
                and isinstance(pid[1], StorageType) and isinstance(pid[2], str) and isinstance(pid[4], int)):
            raise CheckpointError(f"{self.source}: refuses persistent id {shown(pid)}: only tensor storages are allowed")
        _, kind, key, _location, numel = pid
        if key not in self.storages:
            numpy_type, dtype = STORAGE_DTYPES[kind.name]
            width = np.dtype(numpy_type).itemsize
            entry = f"{self.prefix}data/{key}"
            try:
                info = self.archive.getinfo(entry)
            except KeyError:
                raise CheckpointError(f"{self.source}: storage {key!r} has no entry {entry} in the archive") from None
            if numel < 0 or info.file_size < numel * width:
                raise CheckpointError(f"{self.source}: {entry} holds {info.file_size} bytes, "
                                      f"fewer than its {numel} elements of {width} bytes")
            with self.archive.open(info) as stream:
                raw = stream.read(numel * width)
            self.storages[key] = Storage(np.frombuffer(raw, dtype=numpy_type), dtype)
            self.budget.stored += numel
        return self.storages[key]


MEMO_OPCODES = ("PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE")


def check_memo_indices(data, source):
    """Refuses memo indices the pickle cannot need, before unpickling.

    The C unpickler grows its memo to twice the largest index stored: one
    LONG_BINPUT 200000000 in a 40-byte pickle makes it allocate and clear 3 GB.
    A pickle never needs more memo slots than it has memo opcodes.
    """
    try:
        ops = [(opcode.name, arg) for opcode, arg, _ in pickletools.genops(data)]
    except Exception as error:  # noqa: BLE001 - the unpickler would fail at the same opcode
        raise CheckpointError(f"{source}: malformed checkpoint pickle: {type(error).__name__}: {error}") from None
    slots = sum(1 for name, _ in ops if name in MEMO_OPCODES)
    for name, arg in ops:
        if name in ("PUT", "BINPUT", "LONG_BINPUT") and not 0 <= arg < slots:
            raise CheckpointError(f"{source}: malformed checkpoint pickle: memo index {arg} in a pickle of "
                                  f"{slots} memo entries")


def read_checkpoint(path):
    """The unpickled checkpoint, tensors as Tensor; raises CheckpointError."""
    if os.path.isdir(path):
        raise CheckpointError(f"{path} is a folder, not a file")
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as f:
            head = f.read(2)
        if head[:1] == b"\x80":
            raise CheckpointError(f"{path}: a legacy (non-zip) torch.save file; only the zip format of PyTorch 1.6 "
                                  "and later is read (load it where you trust it and save it again with torch.save)")
        raise CheckpointError(f"{path}: not a PyTorch checkpoint (torch.save's zip archive)")
    try:
        with zipfile.ZipFile(path) as archive:
            return read_archive(archive, path)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError) as error:
        # zipfile's own refusals: a damaged directory or entry, an unsupported zip version or compression
        # method, an encrypted entry.
        raise CheckpointError(f"{path}: not a readable zip archive: {type(error).__name__}: {error}") from None


def read_archive(archive, path):
    """The unpickled data.pkl of an open torch.save archive."""
    pickles = [n for n in archive.namelist() if n.endswith("/data.pkl") and n.count("/") == 1]
    if len(pickles) != 1:
        raise CheckpointError(f"{path}: not a PyTorch checkpoint: expected one ARCHIVE/data.pkl, "
                              f"found {len(pickles)}")
    prefix = pickles[0][: -len("data.pkl")]
    byteorder = prefix + "byteorder"
    if byteorder in archive.namelist() and archive.read(byteorder).strip() not in (b"little", b""):
        raise CheckpointError(f"{path}: a big-endian checkpoint; only little-endian ones are read")
    data = archive.read(pickles[0])
    check_memo_indices(data, path)
    unpickler = RestrictedUnpickler(data, archive, prefix, path)
    try:
        return unpickler.load()
    except CheckpointError as error:
        message = str(error)
        raise CheckpointError(message if message.startswith(path + ": ") else f"{path}: {message}") from None
    except Exception as error:  # noqa: BLE001 - any other failure is a malformed pickle
        raise CheckpointError(f"{path}: malformed checkpoint pickle: {type(error).__name__}: {error}") from None


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    chunks = []
    offset = 0
    for name, tensor in tensors.items():
        array, dtype = tensor.array, tensor.dtype
        if dtype == "BF16":  # bfloat16 is the top half of a float32
            array, dtype = (array.astype("<u4") << 16).view("<f4"), "F32"
        data = np.ascontiguousarray(array).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)  # aligns the data buffer to 8 bytes
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for data in chunks:
            out.write(data)


def fail(code, message):
    sys.stderr.write(message + "\n")
    sys.exit(code)


def main(argv):
    args = list(argv)
    entry = "ema_model"
    if "--entry" in args:
        i = args.index("--entry")
        if i + 1 >= len(args):
            fail(2, "--entry needs a NAME")
        entry = args[i + 1]
        del args[i : i + 2]
    if len(args) != 2:
        fail(2, "usage: ddsm_import_checkpoint.py CKPT OUT.safetensors [--entry NAME]")
    source, target = args
    try:
        checkpoint = read_checkpoint(source)
    except CheckpointError as error:
        fail(3, str(error))
    except (OSError, zipfile.BadZipFile) as error:
        fail(3, f"{source}: cannot be read: {error}")

    if not isinstance(checkpoint, dict):
        fail(3, f"{source}: not a checkpoint of DDSM's training code (a {type(checkpoint).__name__}, not a dict "
                "with 'ema_model' and 'net_model')")
    if entry not in checkpoint:
        keys = ", ".join(shown(k) for k in list(checkpoint)[:12])
        fail(3, f"{source}: not a checkpoint of DDSM's training code: no '{entry}' entry (its keys: {keys})")
    state = checkpoint[entry]
    if not isinstance(state, dict) or not state:
        fail(3, f"{source}: entry '{entry}' is not a state dict (a {type(state).__name__})")
    tensors = {}
    for name, value in state.items():
        if not isinstance(name, str) or not isinstance(value, Tensor):
            fail(3, f"{source}: entry '{entry}' holds {shown(name)} which is not a tensor")
        tensors[name] = value
    # DataParallel checkpoints prefix every name with "module.".
    if all(name.startswith("module.") for name in tensors):
        tensors = {name[len("module."):]: value for name, value in tensors.items()}

    metadata = {"format": "ddsm-checkpoint-entry", "entry": entry, "reader": "allow-list unpickler"}
    step = checkpoint.get("step")
    if isinstance(step, int) and not isinstance(step, bool) and step.bit_length() < 64:
        metadata["step"] = str(step)
    x_T = checkpoint.get("x_T")
    if isinstance(x_T, Tensor):
        metadata["x_T_shape"] = json.dumps(list(x_T.array.shape))
    write_safetensors(target, tensors, metadata)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
