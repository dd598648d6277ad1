"""Writes the checkpoints the checkpoint-reader tests import, with PyTorch.

usage: /usr/bin/python3 make_checkpoints.py OUT_DIR GOLDEN.pt
       /usr/bin/python3 make_checkpoints.py --unsafe-load CKPT

- training.pt: a genuine training checkpoint in the paper's layout (the golden
  weights as net_model and ema_model) that also holds an Adam optimizer state
  and a LambdaLR state: floats (BINFLOAT), tuples, None, bools, int keys.
- dtypes.pt: entry "tensors" with views (transposed, offset, strided), every
  plain dtype, a 0-d and an empty tensor; values the test recomputes.
- hostile_*.pt: pickles that create OUT_DIR/marker-<name> when unpickled by
  anything that resolves globals freely; legacy.pt the same in the pre-1.6
  (non-zip) format.

--unsafe-load runs torch.load with full unpickling: the control that proves a
hostile file's payload is live (it must create its marker).
"""
import os
import pickle
import pickletools
import sys
import zipfile

import torch


class Call:
    """Pickles as a call of `function` with `args` (a REDUCE)."""

    def __init__(self, function, *args):
        self.function = function
        self.args = args

    def __reduce__(self):
        return (self.function, self.args)


def touch(out, name):
    return "touch '" + os.path.join(out, "marker-" + name) + "'"


def write_zip_checkpoint(path, pickle_bytes):
    """torch.save's layout: ARCHIVE/data.pkl and ARCHIVE/version, stored uncompressed."""
    archive = os.path.splitext(os.path.basename(path))[0]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(archive + "/data.pkl", pickle_bytes)
        z.writestr(archive + "/version", "3\n")


def training_checkpoint(out, golden_path):
    golden = torch.load(golden_path, map_location="cpu", weights_only=True)
    state = golden["ema_model"]
    params = [torch.nn.Parameter(v.clone()) for v in state.values()]
    optim = torch.optim.Adam(params, lr=2e-4, betas=(0.9, 0.999))
    sched = torch.optim.lr_scheduler.LambdaLR(optim, lr_lambda=lambda step: min(step, 5000) / 5000)
    for p in params:
        p.grad = torch.full_like(p, 0.01)
    optim.step()
    sched.step()
    path = os.path.join(out, "training.pt")
    torch.save({"net_model": state, "ema_model": state, "sched": sched.state_dict(), "optim": optim.state_dict(),
                "step": 12345, "x_T": golden["x_T"], "extras": (True, None, 0.5, [1, 2.5])}, path)
    with zipfile.ZipFile(path) as z:
        data = z.read([n for n in z.namelist() if n.endswith("/data.pkl")][0])
    opcodes = {op.name for op, _, _ in pickletools.genops(data)}
    for needed in ("BINFLOAT", "NONE", "NEWTRUE", "TUPLE2"):
        assert needed in opcodes, f"training.pt lacks the {needed} opcode the test is about"


def dtypes_checkpoint(out):
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    tensors = {
        "transposed": base.t(),                       # strides (1, 6)
        "offset": base[1:3, 2:5],                     # storage offset 8
        "every_other": base[:, ::2],                  # stride 2
        "float64": torch.arange(5, dtype=torch.float64) / 4,
        "float16": torch.tensor([0.5, -2.0, 1024.0], dtype=torch.float16),
        "bfloat16": torch.tensor([1.5, -3.0, 256.0], dtype=torch.bfloat16),
        "int64": torch.tensor([-(2 ** 40), 7], dtype=torch.int64),
        "int32": torch.tensor([-5, 6], dtype=torch.int32),
        "uint8": torch.tensor([0, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(3.25),
        "empty": torch.zeros(0, 3),
    }
    torch.save({"tensors": tensors, "ema_model": {"w": base}}, os.path.join(out, "dtypes.pt"))


def hostile_checkpoints(out):
    # A payload on ema_model: the value the importer reads first.
    def dict_with(payload):
        return {"ema_model": payload, "net_model": {"w": torch.zeros(1)}}

    def zip_with(name, payload, protocol):
        write_zip_checkpoint(os.path.join(out, f"hostile_{name}.pt"), pickle.dumps(dict_with(payload), protocol=protocol))

    zip_with("posix_system", Call(os.system, touch(out, "posix_system")), 2)  # GLOBAL posix.system
    zip_with("builtins_eval", Call(eval, f"__import__('os').system({touch(out, 'builtins_eval')!r})"), 4)  # STACK_GLOBAL
    # A torch name that looks harmless but unpickles its argument with torch.load's full unpickler.
    inner = pickle.dumps(Call(os.system, touch(out, "load_from_bytes")), protocol=2)
    zip_with("load_from_bytes", Call(torch.storage._load_from_bytes, inner), 2)
    # INST: protocol 0's "look up and call" opcode, written by hand.
    inst = ("(dp0\nVema_model\np1\n(V" + touch(out, "inst") + "\niposix\nsystem\np2\ns.").encode()
    write_zip_checkpoint(os.path.join(out, "hostile_inst.pt"), inst)
    # Allowed names used wrongly: calling a storage type, a persistent id that is no storage.
    write_zip_checkpoint(os.path.join(out, "storage_call.pt"),
                         b"\x80\x02}X\t\x00\x00\x00ema_modelctorch\nFloatStorage\n)Rs.")
    write_zip_checkpoint(os.path.join(out, "odd_persistent_id.pt"),
                         b"\x80\x02}X\t\x00\x00\x00ema_modelX\x04\x00\x00\x00evilQs.")
    # BUILD setting an attribute of a storage type (would turn float32 into float64 data).
    write_zip_checkpoint(os.path.join(out, "build_on_storage_type.pt"),
                         b"\x80\x02}X\t\x00\x00\x00ema_modelctorch\nFloatStorage\nN}X\x04\x00\x00\x00name"
                         b"X\x0d\x00\x00\x00DoubleStorages\x86bs.")
    # A 4-byte storage viewed with zero strides as 10^18 elements.
    expand = torch.zeros(1).expand(10 ** 9, 10 ** 9)
    torch.save({"ema_model": {"w": expand}}, os.path.join(out, "expanded.pt"))
    # 1,100 views of one 1,000-element storage: 1.1 million elements to copy from a 4 kB storage.
    base = torch.zeros(1000)
    views = {f"v{i}": base[:] for i in range(1100)}
    torch.save({"ema_model": views}, os.path.join(out, "views.pt"))
    torch.save(dict_with(Call(os.system, touch(out, "legacy"))), os.path.join(out, "legacy.pt"),
               _use_new_zipfile_serialization=False)


def unsafe_load(path):
    try:
        torch.load(path, map_location="cpu")
    except Exception as error:  # noqa: BLE001 - the payload ran (or not) before any later failure
        print(f"torch.load failed after unpickling: {error}")


def main(argv):
    if argv[0] == "--unsafe-load":
        unsafe_load(argv[1])
        return 0
    out, golden = argv
    training_checkpoint(out, golden)
    dtypes_checkpoint(out)
    hostile_checkpoints(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
