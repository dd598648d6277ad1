#pragma once
// The collectives a data-parallel job needs, on PyTorch's c10d: rank 0 serves
// a TCPStore for the rendezvous and every rank joins a ProcessGroupGloo. With
// world size 1 nothing is opened and every call is a no-op, so one code path
// serves one process and many.
//
// Every rank must make the same calls in the same order. A failed or timed-out
// collective throws ddsm::Error naming this rank and, where it can tell, the
// rank that stopped answering (ranks publish a heartbeat in the store).
// No torch header here: callers that only pass tensors through need none.
#include "distributed/distributed_config.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace at {
class Tensor;
}

namespace ddsm {

class ProcessGroup {
public:
    // Joins the job described by `config` (blocks until every rank has joined,
    // at most config.timeoutSeconds); world size 1 opens nothing.
    static std::shared_ptr<ProcessGroup> create(const DistributedConfig& config);
    static std::shared_ptr<ProcessGroup> single();  // world size 1
    ~ProcessGroup();
    ProcessGroup(const ProcessGroup&) = delete;
    ProcessGroup& operator=(const ProcessGroup&) = delete;

    int rank() const;
    int worldSize() const;
    bool isMain() const { return rank() == 0; }  // rank 0 writes files and prints
    const DistributedConfig& config() const;

    // Sums every tensor over the ranks, in place. Tensors are packed into flat
    // buckets of up to `bucketBytes` (25 MB, DDP's default) so that a model's
    // hundreds of parameters cost a few messages. Dense tensors of one device.
    // Every rank ends with identical values (one rank reduces each chunk).
    void allReduceSum(const std::vector<at::Tensor>& tensors, const std::string& what,
                      int64_t bucketBytes = 25 << 20);
    // The largest of each rank's value (e.g. "any rank asks to stop").
    double allReduceMax(double value, const std::string& what);
    // Rank `root`'s values into every rank's tensors, in place.
    void broadcast(const std::vector<at::Tensor>& tensors, const std::string& what, int root = 0,
                   int64_t bucketBytes = 25 << 20);
    // Every rank's `local` (any number of rows; the same trailing shape and
    // dtype on all ranks), indexed by rank.
    std::vector<at::Tensor> allGatherRows(const at::Tensor& local, const std::string& what);
    void barrier(const std::string& what);

private:
    struct Impl;
    explicit ProcessGroup(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The contiguous share [begin, end) of `count` items that `rank` takes: sizes
// differ by at most one, earlier ranks take the larger shares.
struct ShardRange {
    int64_t begin = 0, end = 0;
    int64_t size() const { return end - begin; }
};
ShardRange shardRange(int64_t count, int rank, int worldSize);

}  // namespace ddsm
