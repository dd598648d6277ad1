#pragma once
// Reads one entry of a PyTorch checkpoint (a torch.save'd dict), e.g. the
// paper's "ema_model" state dict, by running scripts/ddsm_import_checkpoint.py
// under a Python with PyTorch: LibTorch cannot unpickle OrderedDicts.
#include "io/safetensors.h"

#include <map>
#include <string>

namespace ddsm {

// The interpreter that runs the converter: $DDSM_PYTHON if set, else
// /usr/bin/python3 (Debian's, where python3-torch installs).
std::string checkpointPython();

// Whether that interpreter can import torch; `reason` says why not.
bool checkpointPythonHasTorch(std::string* reason = nullptr);

struct CheckpointEntry {
    NamedTensors tensors;  // in the checkpoint's order, "module." prefixes removed
    // "entry", "weights_only" ("true"/"false"), and when the checkpoint has
    // them "step" and "x_T_shape" (a JSON list).
    std::map<std::string, std::string> metadata;
    std::string notes;  // what the converter printed on success (e.g. that it needed full unpickling)
};

// Throws ddsm::Error with the converter's message: file unreadable, not a
// dict, no such entry, a value that is not a tensor, Python lacking torch.
CheckpointEntry readCheckpointEntry(const std::string& checkpointPath, const std::string& entry);

}  // namespace ddsm
