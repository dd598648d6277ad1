#include "metrics/stats_file.h"

#include "base/atomic_file.h"
#include "base/error.h"
#include "metrics/frechet.h"
#include "metrics/npy_values.h"
#include "metrics/tensor_checks.h"
#include "metrics/zip_archive.h"

#include <ATen/ATen.h>

#include <map>

namespace ddsm {
namespace {

constexpr const char* kSuffix = ".npy";

std::string stemOf(const std::string& path)
{
    const size_t slash = path.find_last_of('/');
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npz") == 0)
        name.resize(name.size() - 4);
    return name;
}

// Arrays by key (entry name without ".npy"), still encoded: only the arrays
// that are used get parsed.
std::map<std::string, std::string> entriesByKey(const std::string& bytes, const std::string& path)
{
    std::map<std::string, std::string> byKey;
    for (ZipEntry& e : decodeZip(bytes, path)) {
        const size_t n = e.name.size();
        if (n > 4 && e.name.compare(n - 4, 4, kSuffix) == 0)
            byKey[e.name.substr(0, n - 4)] = std::move(e.data);
    }
    return byKey;
}

std::string keyList(const std::map<std::string, std::string>& byKey)
{
    std::string s;
    for (const auto& [key, data] : byKey)
        s += (s.empty() ? "" : ", ") + key;
    return s.empty() ? "nothing" : s;
}

at::Tensor floatArray(const std::map<std::string, std::string>& byKey, const std::string& key,
                      const std::string& path)
{
    const auto it = byKey.find(key);
    if (it == byKey.end())
        throw Error(path + ": no '" + key + "' array (the file holds " + keyList(byKey) + ")");
    const std::string origin = path + ", array '" + key + "'";
    const at::Tensor t = tensorFromNpy(decodeNpy(it->second, origin), origin);
    if (!at::isFloatingType(t.scalar_type()))
        throw Error(origin + ": must be floating point, got " +
                    std::string(c10::toString(t.scalar_type())));
    return t.to(at::kDouble);
}

}  // namespace

void saveStatsNpz(const std::string& path, const GaussianStats& stats)
{
    checkGaussian(stats.mu, stats.sigma, "statistics for " + path);
    const std::vector<ZipEntry> entries = {
        {"mu.npy", encodeNpy(npyFromTensor(stats.mu.to(at::kCPU, at::kDouble)))},
        {"sigma.npy", encodeNpy(npyFromTensor(stats.sigma.to(at::kCPU, at::kDouble)))},
        {"count.npy", encodeNpy(npyFromTensor(at::scalar_tensor(stats.count, at::kLong)))},
        {"feature_name.npy", encodeNpy(npyFromString(stats.featureName))},
        {"source.npy", encodeNpy(npyFromString(stats.source))},
    };
    writeFileAtomically(path, encodeZip(entries));
}

GaussianStats loadStatsNpz(const std::string& path)
{
    const auto byKey = entriesByKey(readWholeFile(path), path);
    GaussianStats stats;
    stats.mu = floatArray(byKey, "mu", path);
    stats.sigma = floatArray(byKey, "sigma", path);
    if (stats.mu.dim() != 1)
        throw Error(path + ": 'mu' must have shape (D,), got shape " + shapeString(stats.mu));
    const int64_t d = stats.mu.size(0);
    if (stats.sigma.dim() != 2 || stats.sigma.size(0) != d || stats.sigma.size(1) != d)
        throw Error(path + ": 'sigma' must have shape (" + std::to_string(d) + ", " +
                    std::to_string(d) + ") to match 'mu', got shape " + shapeString(stats.sigma));
    requireFinite(stats.mu, path + ": 'mu'");
    requireFinite(stats.sigma, path + ": 'sigma'");

    if (const auto it = byKey.find("count"); it != byKey.end()) {
        const std::string origin = path + ", array 'count'";
        const at::Tensor count = tensorFromNpy(decodeNpy(it->second, origin), origin);
        if (count.numel() != 1 || at::isFloatingType(count.scalar_type()))
            throw Error(origin + ": must be a single integer");
        stats.count = count.item<int64_t>();
    }
    if (const auto it = byKey.find("feature_name"); it != byKey.end()) {
        const std::string origin = path + ", array 'feature_name'";
        stats.featureName = stringFromNpy(decodeNpy(it->second, origin), origin);
    }
    stats.source = stemOf(path);
    if (const auto it = byKey.find("source"); it != byKey.end()) {
        const std::string origin = path + ", array 'source'";
        stats.source = stringFromNpy(decodeNpy(it->second, origin), origin);
    }
    return stats;
}

}  // namespace ddsm
