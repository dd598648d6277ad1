#include "metrics/tensor_checks.h"

#include "base/error.h"

#include <ATen/ATen.h>

namespace ddsm {

std::string shapeString(const at::Tensor& t)
{
    if (!t.defined())
        return "(undefined)";
    std::string s = "[";
    for (int64_t i = 0; i < t.dim(); ++i)
        s += (i ? ", " : "") + std::to_string(t.size(i));
    return s + "]";
}

void requireFinite(const at::Tensor& t, const std::string& what)
{
    if (!at::isfinite(t).all().item<bool>())
        throw Error(what + " contains NaN or infinite values");
}

at::Tensor featuresAsDouble(const at::Tensor& features, const std::string& what)
{
    if (!features.defined() || features.dim() != 2)
        throw Error(what + " must be a 2-D tensor [N, D], got shape " + shapeString(features));
    if (!at::isFloatingType(features.scalar_type()))
        throw Error(what + " must be floating point, got " +
                    std::string(c10::toString(features.scalar_type())));
    at::Tensor x = features.to(at::kCPU, at::kDouble).contiguous();
    requireFinite(x, what);
    return x;
}

}  // namespace ddsm
