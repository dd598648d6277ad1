#pragma once
// Work dealt out in batches: batch b of a job (items b*batch .. , the batches
// one process would run) goes to rank b % worldSize, and every rank ends with
// every item's row in item order. Each item is computed as one process
// computes it, so figures derived from the gathered rows equal one process's
// bit for bit.
#include <cstdint>
#include <string>

namespace at {
class Tensor;
}

namespace ddsm {

class ProcessGroup;

// Whether batch `batchIndex` is this rank's; always true without a group.
bool isDealtTo(const ProcessGroup* group, int64_t batchIndex);

// The rows [count, D] of all `count` items (one row each, in batches of
// `batch`), in item order, on every rank. The k-th of these batches is the
// job's batch firstBatch + k, dealt as isDealtTo says. `mine` holds the rows
// of this rank's batches in ascending order; a rank that has no batch passes
// an undefined tensor (D and the dtype come from the others). Without a group,
// or with one rank, `mine` is returned as it is. Every rank must call it.
at::Tensor gatherDealtRows(ProcessGroup* group, const at::Tensor& mine, int64_t count, int64_t batch,
                           const std::string& what, int64_t firstBatch = 0);

// Where every rank meets after its dealt batches: throws Cancelled(what) on
// every rank when any of them was cancelled (a rank that stops early skips its
// remaining batches, so all reach this call). Every rank must call it.
void stopIfAnyRankCancelled(ProcessGroup* group, bool cancelled, const std::string& what);

}  // namespace ddsm
