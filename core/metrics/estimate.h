#pragma once
// A metric value that says what it is: which estimator, its uncertainty, how
// many samples, which feature network and which reference it compares with.
#include <cstdint>
#include <string>

namespace ddsm {

struct Estimate {
    double value = 0;
    double low = 0;      // interval bounds at `level`
    double high = 0;
    double level = 0.95;
    int64_t samples = 0;     // generated samples behind the value
    std::string estimator;   // "FID" or "KID"
    std::string featureName;
    std::string reference;

    // e.g. "FID 12.34 [11.90, 12.81] 95% CI, n=2000, features=fmnist-cnn,
    // ref=fmnist-train-60k". Values of 1 or more get two decimals, smaller
    // ones (KID) four significant digits.
    std::string toString() const;
};

}  // namespace ddsm
