#include "training/checkpoint_compaction.h"

#include "base/error.h"
#include "io/safetensors.h"

#include <torch/torch.h>

#include <filesystem>

namespace ddsm {

namespace {

bool isMoment(const std::string& name)
{
    return name.rfind("adam_m.", 0) == 0 || name.rfind("adam_v.", 0) == 0;
}

}  // namespace

CompactedCheckpoint compactCheckpoint(const std::string& in, const std::string& out)
{
    SafetensorsFile file = loadSafetensors(in);
    CompactedCheckpoint result;
    result.bytesBefore = static_cast<int64_t>(std::filesystem::file_size(in));  // before `out` may replace it
    const auto format = file.metadata.find("format");
    if (format == file.metadata.end() || format->second != kCheckpointFormat)
        throw Error(in + ": not a training checkpoint (its metadata \"format\" is not \"" +
                    std::string(kCheckpointFormat) + "\")");
    try {
        result.step = std::stoll(file.metadata.at("step"));
    } catch (const std::exception&) {
        throw Error(in + ": checkpoint metadata \"step\" is missing or not a number");
    }
    for (auto& [name, tensor] : file.tensors) {
        if (!isMoment(name))
            continue;
        if (!tensor.is_floating_point())
            throw Error(in + ": checkpoint tensor \"" + name + "\" is not floating point");
        tensor = tensor.to(torch::kBFloat16);
        ++result.momentTensors;
    }
    if (result.momentTensors == 0)
        throw Error(in + ": checkpoint holds no Adam moments (adam_m.*, adam_v.*)");
    file.metadata["adam_moments"] = "bf16";
    saveSafetensors(out, file.tensors, file.metadata);
    result.bytesAfter = static_cast<int64_t>(std::filesystem::file_size(out));
    return result;
}

}  // namespace ddsm
