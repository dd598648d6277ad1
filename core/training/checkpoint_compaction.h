#pragma once
// A training checkpoint made small enough to keep: its Adam moments rounded to
// bfloat16 (half their bytes), its weights, EMA weights, batch order and
// options untouched. A run resumed from it continues the same run with its
// moments rounded once; the wide model's checkpoint shrinks from 51.7 MB to
// 38.8 MB, under the 50 MB a repository file may take.
#include <cstdint>
#include <string>

namespace ddsm {

inline constexpr const char* kCheckpointFormat = "ddsm-checkpoint";

struct CompactedCheckpoint {
    int64_t step = 0;         // the training step the checkpoint holds
    int64_t bytesBefore = 0;  // file sizes
    int64_t bytesAfter = 0;
    int64_t momentTensors = 0;  // adam_m.* and adam_v.* tensors rounded
};

// Reads `in` (a checkpoint written by `ddsm train`; anything else is refused
// naming the file) and writes the compact copy to `out` atomically. Already
// compact moments stay as they are.
CompactedCheckpoint compactCheckpoint(const std::string& in, const std::string& out);

}  // namespace ddsm
