#!/usr/bin/python3
"""Extract one state dict from a checkpoint of DDSM's training code.

The paper's code saves `torch.save({'net_model': ..., 'ema_model': ..., 'sched': ...,
'optim': ..., 'step': ..., 'x_T': ...})`. LibTorch cannot read pickled
OrderedDicts, so this writes the chosen entry (a dict of tensors) to a plain
.safetensors file that `ddsm import-checkpoint` turns into a model file.

usage: /usr/bin/python3 ddsm_import_checkpoint.py CKPT OUT.safetensors [--entry NAME]

Needs PyTorch (Debian: python3-torch). Exit codes: 0 done, 2 usage, 3 the file
is not a checkpoint of the expected layout, 4 PyTorch missing.
"""
import json
import struct
import sys

# safetensors dtype names, and the little-endian numpy type each is written as.
DTYPES = {
    "torch.float32": ("F32", "<f4"),
    "torch.float64": ("F64", "<f8"),
    "torch.float16": ("F16", "<f2"),
    "torch.int64": ("I64", "<i8"),
    "torch.int32": ("I32", "<i4"),
    "torch.int16": ("I16", "<i2"),
    "torch.int8": ("I8", "<i1"),
    "torch.uint8": ("U8", "<u1"),
    "torch.bool": ("BOOL", "<u1"),
}


def fail(code, message):
    sys.stderr.write(message + "\n")
    sys.exit(code)


def load_checkpoint(torch, path):
    """Weights-only unpickling first; full unpickling (which can run code) only if that fails."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True), True
    except Exception as weights_only_error:  # noqa: BLE001 - any failure means "try the full unpickler"
        try:
            checkpoint = torch.load(path, map_location="cpu")
        except Exception as error:  # noqa: BLE001
            fail(3, f"{path}: cannot be read by torch.load: {error} (weights-only attempt: {weights_only_error})")
        sys.stderr.write(f"{path}: note: needed full unpickling ({weights_only_error})\n")
        return checkpoint, False


def write_safetensors(torch, path, tensors, metadata):
    header = {"__metadata__": metadata}
    chunks = []
    offset = 0
    for name, tensor in tensors.items():
        key = str(tensor.dtype)
        if key == "torch.bfloat16":
            tensor, key = tensor.float(), "torch.float32"
        if key not in DTYPES:
            fail(3, f"tensor '{name}' has unsupported dtype {tensor.dtype}")
        dtype, numpy_type = DTYPES[key]
        data = tensor.detach().cpu().contiguous().numpy().astype(numpy_type).tobytes()
        header[name] = {"dtype": dtype, "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)  # aligns the data buffer to 8 bytes
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for data in chunks:
            out.write(data)


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
        import torch
    except ImportError:
        fail(4, f"{sys.executable} has no PyTorch (install python3-torch)")

    checkpoint, weights_only = load_checkpoint(torch, source)
    if not isinstance(checkpoint, dict):
        fail(3, f"{source}: not a checkpoint of DDSM's training code (a {type(checkpoint).__name__}, not a dict "
                "with 'ema_model' and 'net_model')")
    if entry not in checkpoint:
        keys = ", ".join(repr(k) for k in list(checkpoint)[:12])
        fail(3, f"{source}: not a checkpoint of DDSM's training code: no '{entry}' entry (its keys: {keys})")
    state = checkpoint[entry]
    if not isinstance(state, dict) or not state:
        fail(3, f"{source}: entry '{entry}' is not a state dict (a {type(state).__name__})")
    tensors = {}
    for name, value in state.items():
        if not isinstance(name, str) or not torch.is_tensor(value):
            fail(3, f"{source}: entry '{entry}' holds '{name}' which is not a tensor")
        tensors[name] = value
    # DataParallel checkpoints prefix every name with "module.".
    if all(name.startswith("module.") for name in tensors):
        tensors = {name[len("module."):]: value for name, value in tensors.items()}

    metadata = {"format": "ddsm-checkpoint-entry", "entry": entry, "weights_only": str(weights_only).lower()}
    step = checkpoint.get("step")
    if isinstance(step, int):
        metadata["step"] = str(step)
    x_T = checkpoint.get("x_T")
    if torch.is_tensor(x_T):
        metadata["x_T_shape"] = json.dumps(list(x_T.shape))
    write_safetensors(torch, target, tensors, metadata)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
