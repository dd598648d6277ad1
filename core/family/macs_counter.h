#pragma once
// Counts the multiply-accumulates of the matrix ops a forward pass runs, so a
// TorchScript network's cost can be counted rather than taken on trust.
// Counted, as engine/flops.h does for our UNet: convolutions (not transposed),
// linear layers and matrix products (mm, bmm, matmul, addmm, baddbmm); an op
// inside another counted op (linear -> addmm) counts once. Not counted:
// normalisation, activations, softmax, additions, transposed convolutions.
#include <cstdint>

namespace ddsm {

// Observes the ops run on the constructing thread while it is alive
// (ATen's RecordFunction callbacks). Not copyable; one at a time per thread.
class MacsCounter {
public:
    MacsCounter();
    ~MacsCounter();
    MacsCounter(const MacsCounter&) = delete;
    MacsCounter& operator=(const MacsCounter&) = delete;

    double macs() const { return macs_; }
    int64_t opsCounted() const { return ops_; }

    // Called by the observer.
    void add(double macs)
    {
        macs_ += macs;
        ++ops_;
    }

private:
    uint64_t handle_ = 0;
    double macs_ = 0;
    int64_t ops_ = 0;
};

}  // namespace ddsm
