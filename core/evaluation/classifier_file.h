#pragma once
// Feature classifier files: .safetensors with the weights and, in
// "__metadata__": format tag and version, the architecture JSON, the feature
// space's name, the measured test accuracy and how the weights were made.
#include "evaluation/feature_classifier.h"

#include <string>

namespace ddsm {

inline constexpr const char* kClassifierFormat = "ddsm-feature-classifier";

struct ClassifierInfo {
    std::string featureName;   // e.g. "fmnist-cnn-128"
    double testAccuracy = -1;  // fraction in [0, 1]; -1 when not measured
    std::string trainingJson;  // free-form JSON object: command, data, epochs, seed
};

struct LoadedClassifier {
    FeatureClassifier net{nullptr};
    ClassifierInfo info;
    std::string sha256;  // of the file: features are only comparable from identical weights
    std::string path;
};

void saveClassifier(const std::string& path, FeatureClassifier& net, const ClassifierInfo& info);

// Validates the format tag, architecture and every tensor's name and shape
// before use; any problem is one ddsm::Error naming the file and the field.
LoadedClassifier loadClassifier(const std::string& path);

}  // namespace ddsm
