#pragma once
// Reads one entry of a PyTorch checkpoint (a torch.save'd dict), e.g. the
// paper's "ema_model" state dict, by running scripts/ddsm_import_checkpoint.py
// under a Python with numpy: LibTorch cannot unpickle OrderedDicts. The script
// never runs code from the file: its unpickler accepts only the globals of
// tensors and dicts and refuses every other one by name (no fallback).
#include "io/safetensors.h"

#include <map>
#include <string>

namespace ddsm {

// The interpreter that runs the converter: $DDSM_PYTHON if set, else
// /usr/bin/python3 (Debian's; the converter needs python3-numpy only).
std::string checkpointPython();

// Whether that interpreter can import torch (tests make checkpoints with it);
// `reason` says why not.
bool checkpointPythonHasTorch(std::string* reason = nullptr);

struct CheckpointEntry {
    NamedTensors tensors;  // in the checkpoint's order, "module." prefixes removed
    // "entry", "reader" (how the pickle was read), and when the checkpoint
    // has them "step" and "x_T_shape" (a JSON list).
    std::map<std::string, std::string> metadata;
    std::string notes;  // what the converter printed on success
};

// Throws ddsm::Error with the converter's message: a folder, file unreadable,
// not torch.save's zip format (legacy files are refused), a global outside the
// allow-list ("refuses global posix.system: ..."), not a dict, no such entry,
// a value that is not a tensor, Python lacking numpy.
CheckpointEntry readCheckpointEntry(const std::string& checkpointPath, const std::string& entry);

}  // namespace ddsm
