#include "family/macs_counter.h"

#include "base/error.h"

#include <ATen/record_function.h>

#include <cstring>
#include <memory>

namespace ddsm {

namespace {

thread_local MacsCounter* activeCounter = nullptr;
thread_local int countedDepth = 0;

// What the start callback learns from the inputs: the length of the dot
// product behind each output element. Outputs are only visible at the end.
struct CountedOp : at::ObserverContext {
    double innerSize = 0;
    bool outermost = false;
};

int64_t sizeAt(const c10::IValue& value, int64_t dim)
{
    if (!value.isTensor())
        return 0;
    const auto& tensor = value.toTensor();
    if (tensor.dim() == 0)
        return 0;
    return tensor.size(dim < 0 ? tensor.dim() + dim : dim);
}

// The dot-product length of a counted op, or a negative value for other ops.
double innerSizeOf(const at::RecordFunction& fn)
{
    const char* name = fn.name();
    const auto inputs = fn.inputs();
    auto is = [&](const char* op) { return std::strcmp(name, op) == 0; };
    if (is("aten::conv1d") || is("aten::conv2d") || is("aten::conv3d") || is("aten::_convolution") ||
        is("aten::convolution")) {
        if (inputs.size() < 2 || !inputs[1].isTensor())
            return 0;
        const bool transposed = (is("aten::_convolution") || is("aten::convolution")) && inputs.size() > 6 &&
                                inputs[6].isBool() && inputs[6].toBool();
        if (transposed)
            return -1;
        const auto& weight = inputs[1].toTensor();
        return double(weight.numel() / std::max<int64_t>(1, weight.size(0)));  // in/groups x kernel
    }
    if (is("aten::linear") || is("aten::matmul") || is("aten::mm") || is("aten::bmm"))
        return inputs.empty() ? 0 : double(sizeAt(inputs[0], -1));
    if (is("aten::addmm") || is("aten::baddbmm"))
        return inputs.size() < 2 ? 0 : double(sizeAt(inputs[1], -1));
    return -1;
}

std::unique_ptr<at::ObserverContext> onStart(const at::RecordFunction& fn)
{
    if (!activeCounter)
        return nullptr;
    const double inner = innerSizeOf(fn);
    if (inner < 0)
        return nullptr;
    auto context = std::make_unique<CountedOp>();
    context->innerSize = inner;
    context->outermost = countedDepth == 0;
    ++countedDepth;
    return context;
}

void onEnd(const at::RecordFunction& fn, at::ObserverContext* context)
{
    auto* op = static_cast<CountedOp*>(context);
    if (!op)
        return;
    --countedDepth;
    if (!op->outermost || !activeCounter)
        return;
    const auto& outputs = fn.outputs();
    if (!outputs.empty() && outputs[0].isTensor())
        activeCounter->add(double(outputs[0].toTensor().numel()) * op->innerSize);
}

}  // namespace

MacsCounter::MacsCounter()
{
    if (activeCounter)
        throw Error("MacsCounter: another counter is already active on this thread");
    activeCounter = this;
    countedDepth = 0;
    handle_ = at::addThreadLocalCallback(at::RecordFunctionCallback(onStart, onEnd)
                                             .needsInputs(true)
                                             .needsOutputs(true)
                                             .scopes({at::RecordScope::FUNCTION}));
}

MacsCounter::~MacsCounter()
{
    at::removeCallback(handle_);
    activeCounter = nullptr;
}

}  // namespace ddsm
