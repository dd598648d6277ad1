#include "distributed/dealt_batches.h"

#include "base/cancelled.h"
#include "base/error.h"
#include "distributed/process_group.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <vector>

namespace ddsm {

bool isDealtTo(const ProcessGroup* group, int64_t batchIndex)
{
    return !group || batchIndex % group->worldSize() == group->rank();
}

void stopIfAnyRankCancelled(ProcessGroup* group, bool cancelled, const std::string& what)
{
    if (group && group->worldSize() > 1)
        cancelled = group->allReduceMax(cancelled ? 1 : 0, "agreeing whether " + what + " goes on") > 0;
    if (cancelled)
        throw Cancelled(what);
}

at::Tensor gatherDealtRows(ProcessGroup* group, const at::Tensor& mine, int64_t count, int64_t batch,
                           const std::string& what, int64_t firstBatch)
{
    if (!group || group->worldSize() == 1)
        return mine;
    if (batch < 1)
        throw Error(what + ": batches must hold at least one item");
    const int world = group->worldSize();
    const bool have = mine.defined() && mine.size(0) > 0;
    if (have && mine.dim() != 2)
        throw Error(what + ": rows must be two-dimensional [items, D]");
    // A rank without a batch learns the row width and dtype from the others.
    const auto columns = int64_t(group->allReduceMax(have ? double(mine.size(1)) : -1, what + " (row width)"));
    const auto dtype = int(group->allReduceMax(have ? double(int(mine.scalar_type())) : -1, what + " (dtype)"));
    if (columns < 0)
        return at::Tensor();  // no items at all
    const auto local = have ? mine.contiguous() : at::empty({0, columns}, at::TensorOptions(at::ScalarType(dtype)));
    const auto parts = group->allGatherRows(local, what);
    // Each rank's batches in order; all but the last batch are full.
    const auto rankOf = [&](int64_t first) { return size_t((firstBatch + first / batch) % world); };
    std::vector<int64_t> expected(size_t(world), 0);
    for (int64_t first = 0; first < count; first += batch)
        expected[rankOf(first)] += std::min(batch, count - first);
    for (int r = 0; r < world; ++r)
        if (parts[size_t(r)].size(0) != expected[size_t(r)])
            throw Error(what + ": rank " + std::to_string(r) + " sent " + std::to_string(parts[size_t(r)].size(0)) +
                        " rows, its batches hold " + std::to_string(expected[size_t(r)]));
    std::vector<at::Tensor> rows;
    std::vector<int64_t> taken(size_t(world), 0);
    for (int64_t first = 0; first < count; first += batch) {
        const size_t rank = rankOf(first);
        const int64_t size = std::min(batch, count - first);
        rows.push_back(parts[rank].narrow(0, taken[rank], size));
        taken[rank] += size;
    }
    return at::cat(rows);
}

}  // namespace ddsm
