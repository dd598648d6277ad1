#include "distributed/process_group.h"

#include "base/error.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <thread>

namespace ddsm {

namespace {

using Milliseconds = std::chrono::milliseconds;
constexpr auto kHeartbeat = Milliseconds(500);

std::string heartbeatKey(int rank) { return "ddsm/heartbeat/" + std::to_string(rank); }

std::string messageOf(const std::exception& e)
{
    if (const auto* c10 = dynamic_cast<const c10::Error*>(&e))
        return c10->what_without_backtrace();
    return e.what();
}

// The Gloo transport this rank listens on. Loopback jobs stay on 127.0.0.1;
// GLOO_SOCKET_IFNAME picks an interface as it does for PyTorch; otherwise the
// address this host's name resolves to.
std::shared_ptr<::gloo::transport::Device> glooDevice(const DistributedConfig& c)
{
    if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface)
        return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
    if (c.masterAddr == "127.0.0.1" || c.masterAddr == "localhost")
        return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
    return c10d::ProcessGroupGloo::createDefaultDevice();
}

// Shared with the heartbeat thread, which may outlive the group by a beat.
struct Heartbeat {
    c10::intrusive_ptr<c10d::Store> store;
    std::atomic<bool> stop{false};
};

}  // namespace

struct ProcessGroup::Impl {
    DistributedConfig config;
    c10::intrusive_ptr<c10d::Store> store;
    // ProcessGroupNCCL would slot in here for CUDA tensors (a CUDA build of
    // LibTorch); Gloo serves CPU tensors, which is all Debian's LibTorch has.
    c10::intrusive_ptr<c10d::ProcessGroup> group;
    std::shared_ptr<Heartbeat> heartbeat;

    [[noreturn]] void fail(const std::string& what, const std::string& detail) const;
    std::string rollCall() const;
    void run(const std::string& what, const std::function<c10::intrusive_ptr<c10d::Work>()>& start) const;
    void bucketed(const std::vector<at::Tensor>& tensors, int64_t bucketBytes, const std::string& what,
                  const std::function<c10::intrusive_ptr<c10d::Work>(std::vector<at::Tensor>&)>& op) const;
};

std::string ProcessGroup::Impl::rollCall() const
{
    // Whoever stops beating within a few beats died or hangs.
    try {
        std::vector<int64_t> before(size_t(config.worldSize));
        for (int q = 0; q < config.worldSize; ++q)
            before[size_t(q)] = store->add(heartbeatKey(q), 0);
        std::this_thread::sleep_for(kHeartbeat * 5);
        std::string silent;
        for (int q = 0; q < config.worldSize; ++q)
            if (q != config.rank && store->add(heartbeatKey(q), 0) == before[size_t(q)])
                silent += (silent.empty() ? "rank " : ", rank ") + std::to_string(q);
        if (silent.empty())
            return "every rank still answers, so a collective timed out or was called out of order";
        return silent + " stopped answering (died or hangs)";
    } catch (const std::exception&) {
        if (config.rank == 0)
            return "the rendezvous store stopped answering";
        return "rank 0, which serves the rendezvous store at " + config.masterAddr + ":" +
               std::to_string(config.masterPort) + ", stopped answering (died or hangs)";
    }
}

void ProcessGroup::Impl::fail(const std::string& what, const std::string& detail) const
{
    throw Error("rank " + std::to_string(config.rank) + " of " + std::to_string(config.worldSize) + ": " + what +
                " failed: " + rollCall() + " [" + detail + "]");
}

void ProcessGroup::Impl::run(const std::string& what,
                             const std::function<c10::intrusive_ptr<c10d::Work>()>& start) const
{
    try {
        start()->wait();
    } catch (const std::exception& e) {
        fail(what, messageOf(e));
    }
}

void ProcessGroup::Impl::bucketed(
    const std::vector<at::Tensor>& tensors, int64_t bucketBytes, const std::string& what,
    const std::function<c10::intrusive_ptr<c10d::Work>(std::vector<at::Tensor>&)>& op) const
{
    // Consecutive tensors of one dtype and device share a flat buffer; all
    // buckets are in flight at once and unpacked as they complete.
    struct Bucket {
        std::vector<at::Tensor> members;
        std::vector<at::Tensor> flat;
        c10::intrusive_ptr<c10d::Work> work;
    };
    std::vector<Bucket> buckets;
    int64_t bytes = 0;
    for (const auto& t : tensors) {
        if (!t.defined())
            continue;
        const int64_t size = t.numel() * int64_t(t.element_size());
        if (buckets.empty() || bytes + size > bucketBytes || buckets.back().members.front().dtype() != t.dtype() ||
            buckets.back().members.front().device() != t.device()) {
            buckets.emplace_back();
            bytes = 0;
        }
        buckets.back().members.push_back(t);
        bytes += size;
    }
    try {
        for (auto& b : buckets) {
            std::vector<at::Tensor> flat;
            for (const auto& t : b.members)
                flat.push_back(t.reshape({-1}));
            b.flat = {at::cat(flat)};
            b.work = op(b.flat);
        }
        for (auto& b : buckets) {
            b.work->wait();
            int64_t offset = 0;
            for (auto& t : b.members) {
                t.copy_(b.flat[0].narrow(0, offset, t.numel()).view(t.sizes()));
                offset += t.numel();
            }
        }
    } catch (const std::exception& e) {
        fail(what, messageOf(e));
    }
}

ProcessGroup::ProcessGroup(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ProcessGroup::~ProcessGroup()
{
    if (impl_->heartbeat)
        impl_->heartbeat->stop = true;
}

std::shared_ptr<ProcessGroup> ProcessGroup::single()
{
    return std::shared_ptr<ProcessGroup>(new ProcessGroup(std::make_unique<Impl>()));
}

std::shared_ptr<ProcessGroup> ProcessGroup::create(const DistributedConfig& config)
{
    config.validate();
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    if (!config.distributed())
        return std::shared_ptr<ProcessGroup>(new ProcessGroup(std::move(impl)));
    const auto timeout = Milliseconds(int64_t(config.timeoutSeconds * 1000));
    const std::string where = "rank " + std::to_string(config.rank) + " of " + std::to_string(config.worldSize);
    try {
        c10d::TCPStoreOptions options;
        options.port = uint16_t(config.masterPort);
        options.isServer = config.rank == 0;
        options.numWorkers = size_t(config.worldSize);
        options.waitWorkers = true;
        options.timeout = timeout;
        impl->store = c10::make_intrusive<c10d::TCPStore>(config.masterAddr, options);
    } catch (const std::exception& e) {
        throw Error(where + ": rendezvous with rank 0 at " + config.masterAddr + ":" + std::to_string(config.masterPort) +
                    " failed within " + std::to_string(int(config.timeoutSeconds)) + " s: " + messageOf(e));
    }
    try {
        auto options = c10d::ProcessGroupGloo::Options::create(timeout);
        options->devices.push_back(glooDevice(config));
        options->threads = 1;  // one collective at a time; the bucket buffers are large
        auto prefixed = c10::make_intrusive<c10d::PrefixStore>("gloo", impl->store);
        impl->group = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, config.rank, config.worldSize, options);
    } catch (const std::exception& e) {
        throw Error(where + ": joining the Gloo process group failed within " +
                    std::to_string(int(config.timeoutSeconds)) + " s: " + messageOf(e));
    }
    // A detached beat: a rank stuck in a store call must not block exit.
    impl->heartbeat = std::make_shared<Heartbeat>();
    impl->heartbeat->store = impl->store;
    std::thread([beat = impl->heartbeat, key = heartbeatKey(config.rank)] {
        while (!beat->stop) {
            try {
                beat->store->add(key, 1);
            } catch (const std::exception&) {
                return;  // the store is gone: the job is ending
            }
            std::this_thread::sleep_for(kHeartbeat);
        }
    }).detach();
    return std::shared_ptr<ProcessGroup>(new ProcessGroup(std::move(impl)));
}

int ProcessGroup::rank() const { return impl_->config.rank; }
int ProcessGroup::worldSize() const { return impl_->config.worldSize; }
const DistributedConfig& ProcessGroup::config() const { return impl_->config; }

void ProcessGroup::allReduceSum(const std::vector<at::Tensor>& tensors, const std::string& what, int64_t bucketBytes)
{
    if (!impl_->group)
        return;
    impl_->bucketed(tensors, bucketBytes, what, [&](std::vector<at::Tensor>& flat) {
        return impl_->group->allreduce(flat, c10d::AllreduceOptions());
    });
}

double ProcessGroup::allReduceMax(double value, const std::string& what)
{
    if (!impl_->group)
        return value;
    std::vector<at::Tensor> one{at::full({1}, value, at::kDouble)};
    c10d::AllreduceOptions options;
    options.reduceOp = c10d::ReduceOp::MAX;
    impl_->run(what, [&] { return impl_->group->allreduce(one, options); });
    return one[0].item<double>();
}

void ProcessGroup::broadcast(const std::vector<at::Tensor>& tensors, const std::string& what, int root,
                             int64_t bucketBytes)
{
    if (!impl_->group)
        return;
    impl_->bucketed(tensors, bucketBytes, what, [&](std::vector<at::Tensor>& flat) {
        c10d::BroadcastOptions options;
        options.rootRank = root;
        return impl_->group->broadcast(flat, options);
    });
}

std::vector<at::Tensor> ProcessGroup::allGatherRows(const at::Tensor& local, const std::string& what)
{
    if (!impl_->group)
        return {local};
    const int world = worldSize();
    // Row counts first, then every rank's rows padded to the largest count.
    std::vector<at::Tensor> count{at::full({1}, local.size(0), at::kLong)};
    std::vector<std::vector<at::Tensor>> counts(1);
    for (int q = 0; q < world; ++q)
        counts[0].push_back(at::empty({1}, at::kLong));
    impl_->run(what + " (row counts)", [&] { return impl_->group->allgather(counts, count); });
    int64_t most = 0;
    for (const auto& c : counts[0])
        most = std::max(most, c.item<int64_t>());
    auto shape = local.sizes().vec();
    shape[0] = most;
    std::vector<at::Tensor> padded{at::zeros(shape, local.options())};
    padded[0].narrow(0, 0, local.size(0)).copy_(local);
    std::vector<std::vector<at::Tensor>> gathered(1);
    for (int q = 0; q < world; ++q)
        gathered[0].push_back(at::empty(shape, local.options()));
    impl_->run(what, [&] { return impl_->group->allgather(gathered, padded); });
    std::vector<at::Tensor> out;
    for (int q = 0; q < world; ++q)
        out.push_back(gathered[0][size_t(q)].narrow(0, 0, counts[0][size_t(q)].item<int64_t>()));
    return out;
}

void ProcessGroup::barrier(const std::string& what)
{
    if (!impl_->group)
        return;
    impl_->run(what, [&] { return impl_->group->barrier(c10d::BarrierOptions()); });
}

ShardRange shardRange(int64_t count, int rank, int worldSize)
{
    const int64_t base = count / worldSize, extra = count % worldSize;
    ShardRange r;
    r.begin = rank * base + std::min<int64_t>(rank, extra);
    r.end = r.begin + base + (rank < extra ? 1 : 0);
    return r;
}

}  // namespace ddsm
