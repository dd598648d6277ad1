#pragma once
// One entry point for "open this network file", whatever it holds:
//  - a DDSM Studio model file (.safetensors)  -> SlimmableDenoiser
//  - a family manifest (.json, "ddsm-family") -> FamilyDenoiser
// Anything else is a ddsm::Error that says what the file is and what to do
// (e.g. a PyTorch checkpoint: run `ddsm import-checkpoint`).
#include "engine/denoiser.h"

#include <memory>
#include <string>

namespace ddsm {

std::shared_ptr<Denoiser> openDenoiser(const std::string& path, c10::Device device);

// Where `width` of `denoiser` comes from, one line for display: the family
// member behind it, or the slimmable network's sliced sub-network.
std::string describeWidth(const Denoiser& denoiser, double width);

}  // namespace ddsm
