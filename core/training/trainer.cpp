#include "training/trainer.h"

#include "base/error.h"
#include "base/json_fields.h"
#include "base/splitmix.h"
#include "engine/diffusion.h"
#include "engine/model_file.h"
#include "engine/slimmable_unet.h"
#include "io/safetensors.h"
#include "schedule/width.h"
#include "training/checkpoint_compaction.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>

namespace ddsm {

namespace {

// Per-sample draws: each generator gives one value (or one image) per call, so
// a sample draws the same numbers whichever rank holds it.
at::Tensor drawTimesteps(std::vector<at::Generator>& samples, int64_t T)
{
    std::vector<at::Tensor> t;
    for (auto& g : samples)
        t.push_back(torch::randint(0, T, {1}, g, torch::kLong));
    return torch::cat(t);
}

at::Tensor drawTimestepsFrom(std::vector<at::Generator>& samples, const at::Tensor& allowed)
{
    return allowed.index_select(0, drawTimesteps(samples, allowed.size(0)));
}

at::Tensor drawNoise(std::vector<at::Generator>& samples, const at::Tensor& like)
{
    std::vector<at::Tensor> noise;
    auto shape = like.sizes().vec();
    shape[0] = 1;
    for (auto& g : samples)
        noise.push_back(torch::randn(shape, g));
    return torch::cat(noise);
}

}  // namespace

Trainer::Trainer(NetConfig config, TrainOptions options, at::Tensor images, c10::Device device)
    : config_(std::move(config)),
      options_(options),
      images_(std::move(images)),
      device_(device),
      sampler_(images_.size(0), options.batchSize, options.seed),
      group_(ProcessGroup::single())
{
    options_.validate();
    if (images_.dim() != 4 || images_.size(1) != config_.channels || images_.size(2) != config_.imageSize ||
        images_.size(3) != config_.imageSize)
        throw Error("training images must be [N, " + std::to_string(config_.channels) + ", " +
                    std::to_string(config_.imageSize) + ", " + std::to_string(config_.imageSize) + "] for this architecture");
    model_ = std::make_shared<SlimmableUNet>(config_);
    model_->initialize(options_.seed);
    ema_ = std::make_shared<SlimmableUNet>(config_);
    model_->to(device_);
    ema_->to(device_);
    diffusion_ = std::make_unique<GaussianDiffusion>(config_.diffusion);
    scheduledTimesteps_ = scheduledTimestepsByWidth(options_, config_);
    torch::NoGradGuard noGrad;
    const auto emaNamed = ema_->named_parameters();
    for (const auto& p : model_->named_parameters()) {
        names_.push_back(p.key());
        params_.push_back(p.value());
        emaParams_.push_back(emaNamed[p.key()]);
        emaParams_.back().copy_(p.value());
        adamM_.push_back(torch::zeros_like(p.value()));
        adamV_.push_back(torch::zeros_like(p.value()));
    }
    ema_->eval();
}

Trainer::~Trainer() = default;

void Trainer::startFromWeights(SlimmableUNet& source, const std::string& where)
{
    if (step_ != 0)
        throw Error(where + ": weights can only start a run before its first step");
    if (toJson(source.config()) != toJson(config_))
        throw Error(where + ": its architecture differs from the run's (" + describe(source.config()) + " vs " +
                    describe(config_) + ")");
    std::map<std::string, at::Tensor> tensors;
    for (const auto& p : source.named_parameters())
        tensors[p.key()] = p.value();
    torch::NoGradGuard noGrad;
    loadParameters(*model_, tensors, where);
    for (size_t i = 0; i < params_.size(); ++i)
        emaParams_[i].copy_(params_[i]);
}

void Trainer::joinProcessGroup(std::shared_ptr<ProcessGroup> group)
{
    if (!group)
        group = ProcessGroup::single();
    if (options_.batchSize < group->worldSize())
        throw Error("--batch " + std::to_string(options_.batchSize) + " is smaller than the world size " +
                    std::to_string(group->worldSize()) + ": every rank needs a share of each batch");
    group_ = std::move(group);
}

void Trainer::synchronizeRanks()
{
    if (group_->worldSize() == 1)
        return;
    // The same checkpoint on every rank: compare what says where the run stands.
    const auto state = sampler_.state();
    const auto here = torch::tensor({step_, state.epoch, state.position}, torch::kLong).view({1, 3});
    const auto all = group_->allGatherRows(here, "comparing the ranks' training state");
    for (int r = 1; r < group_->worldSize(); ++r)
        if (!torch::equal(all[size_t(r)], all[0]))
            throw Error("rank " + std::to_string(r) + " starts at step " + std::to_string(all[size_t(r)][0][0].item<int64_t>()) +
                        " but rank 0 at step " + std::to_string(all[0][0][0].item<int64_t>()) +
                        ": every rank must resume from the same checkpoint");
    torch::NoGradGuard noGrad;
    std::vector<at::Tensor> state_tensors;
    for (auto* list : {&params_, &emaParams_, &adamM_, &adamV_})
        state_tensors.insert(state_tensors.end(), list->begin(), list->end());
    group_->broadcast(state_tensors, "broadcasting rank 0's weights");
}

TrainStepStats Trainer::step()
{
    const uint64_t stepSeed = splitMix64(options_.seed ^ splitMix64(uint64_t(step_)));
    const int rank = group_->rank(), world = group_->worldSize();
    // Dropout draws from the global generator: seed it per step (and rank) for exact resume.
    torch::manual_seed(rank == 0 ? stepSeed : splitMix64(stepSeed ^ splitMix64(uint64_t(rank))));
    auto generator = at::detail::createCPUGenerator(stepSeed ^ 0x5bd1e995ULL);

    // Every rank draws the global batch and keeps its share.
    const auto global = sampler_.nextIndices();
    const int64_t globalBatch = global.size(0);
    const auto shard = shardRange(globalBatch, rank, world);
    auto x0 = images_.index_select(0, global.narrow(0, shard.begin, shard.size()));
    const int64_t batch = x0.size(0);
    const double share = double(batch) / double(globalBatch);
    std::vector<at::Generator> samples;
    for (int64_t j = shard.begin; j < shard.end; ++j)
        samples.push_back(at::detail::createCPUGenerator(splitMix64(stepSeed ^ splitMix64(0x51ed27ULL + uint64_t(j)))));
    if (options_.horizontalFlip && batch > 0) {
        std::vector<at::Tensor> coins;
        for (auto& g : samples)
            coins.push_back(torch::rand({1}, g));
        auto flip = (torch::cat(coins) < 0.5).view({batch, 1, 1, 1});
        x0 = torch::where(flip, x0.flip({3}), x0);
    }

    TrainStepStats stats;
    const auto& all = config_.widths;
    model_->train();
    model_->zero_grad();
    if (!options_.scheduleWidths.empty()) {
        // Step-aware: full width and every narrower width the schedule uses.
        stats.widths.push_back(all.front());
        for (size_t w = 1; w < all.size(); ++w)
            if (scheduledTimesteps_[w].defined())
                stats.widths.push_back(all[w]);
        scheduledStep(x0, samples, share, stats);
    } else {
        stats.widths.push_back(all.front());
        if (all.size() > 1)
            stats.widths.push_back(all.back());
        // Each draw picks among the middle widths still allowed: all of them
        // with replacement, those not yet drawn when distinct. One draw is the
        // same either way, so runs of one middle width draw as they always did.
        std::vector<double> middle;
        if (all.size() > 2)
            middle.assign(all.begin() + 1, all.end() - 1);
        const bool distinct = options_.middleDraw == "distinct";
        for (int i = 0; i < options_.middleWidths && !middle.empty(); ++i) {
            const int64_t pick = torch::randint(0, int64_t(middle.size()), {1}, generator).item<int64_t>();
            stats.widths.push_back(middle[size_t(pick)]);
            if (distinct)
                middle.erase(middle.begin() + pick);
        }
        if (options_.distill > 0)
            distillationStep(x0, samples, share, stats);
        else
            plainStep(x0, samples, share, stats);
    }
    reduceAcrossRanks(stats);

    torch::NoGradGuard noGrad;
    double squared = 0;
    for (auto& p : params_)
        if (p.grad().defined())
            squared += p.grad().pow(2).sum().item<double>();
    stats.gradNorm = std::sqrt(squared);
    const double clipScale = stats.gradNorm > options_.gradClip ? options_.gradClip / (stats.gradNorm + 1e-6) : 1.0;

    ++step_;
    const double warm = options_.warmupSteps > 0 ? std::min(1.0, double(step_) / double(options_.warmupSteps)) : 1.0;
    stats.learningRate = options_.learningRate * warm;
    const double b1 = options_.adamBeta1, b2 = options_.adamBeta2;
    const double correction1 = 1 - std::pow(b1, double(step_)), correction2 = 1 - std::pow(b2, double(step_));
    // EMA ramps up so that short runs are not dominated by random initial weights.
    const double decay =
        options_.emaRamp ? std::min(options_.emaDecay, (1.0 + step_) / (10.0 + step_)) : options_.emaDecay;
    for (size_t i = 0; i < params_.size(); ++i) {
        auto& p = params_[i];
        if (p.grad().defined()) {
            auto g = p.grad() * clipScale;
            adamM_[i].mul_(b1).add_(g, 1 - b1);
            adamV_[i].mul_(b2).addcmul_(g, g, 1 - b2);
            auto denom = (adamV_[i] / correction2).sqrt_().add_(options_.adamEpsilon);
            p.addcdiv_(adamM_[i], denom, -stats.learningRate / correction1);
        }
        emaParams_[i].mul_(decay).add_(p, 1 - decay);
    }
    stats.step = step_;
    return stats;
}

at::Tensor minSnrWeights(const std::vector<double>& alphasCumprod, const at::Tensor& t, double gamma)
{
    const auto alphaBar = torch::tensor(alphasCumprod, torch::kDouble).index_select(0, t.to(torch::kCPU, torch::kLong));
    if (gamma <= 0)
        return torch::ones_like(alphaBar);
    const auto snr = alphaBar / (1 - alphaBar);
    return snr.clamp_max(gamma) / snr;
}

at::Tensor Trainer::loss(const at::Tensor& prediction, const at::Tensor& target, const at::Tensor& t) const
{
    if (options_.minSnrGamma <= 0)
        return torch::mse_loss(prediction, target);
    const auto perSample = (prediction - target).pow(2).flatten(1).mean(1);
    const auto weights = minSnrWeights(diffusion_->alphasCumprod(), t, options_.minSnrGamma);
    return (perSample * weights.to(perSample.device(), perSample.scalar_type())).mean();
}

void Trainer::plainStep(const at::Tensor& x0, std::vector<at::Generator>& samples, double share,
                        TrainStepStats& stats)
{
    for (double width : stats.widths) {
        if (x0.size(0) == 0) {
            stats.losses.push_back(0);
            continue;
        }
        auto t = drawTimesteps(samples, config_.diffusion.T);
        auto noise = drawNoise(samples, x0);
        auto xt = diffusion_->qSample(x0, t, noise);
        auto prediction = model_->forward(xt.to(device_), t.to(device_), width);
        (loss(prediction, noise.to(device_), t) * share).backward();
        // Logged unweighted: comparable with runs of any weighting.
        stats.losses.push_back(torch::mse_loss(prediction.detach(), noise.to(device_)).item<double>() * share);
    }
}

at::Tensor distillationTarget(const at::Tensor& noise, const at::Tensor& teacher, double distill)
{
    return noise * (1 - distill) + teacher * distill;
}

void Trainer::distillationStep(const at::Tensor& x0, std::vector<at::Generator>& samples, double share,
                               TrainStepStats& stats)
{
    if (x0.size(0) == 0) {
        stats.losses.assign(stats.widths.size(), 0);
        return;
    }
    // One input for every width, so the teacher's prediction fits each of them.
    auto t = drawTimesteps(samples, config_.diffusion.T);
    auto noise = drawNoise(samples, x0);
    auto xt = diffusion_->qSample(x0, t, noise).to(device_);
    t = t.to(device_);
    noise = noise.to(device_);
    at::Tensor teacher;
    {
        torch::NoGradGuard noGrad;
        teacher = ema_->forward(xt, t, config_.widths.front());
    }
    const auto target = distillationTarget(noise, teacher, options_.distill);
    for (double width : stats.widths) {
        const bool full = width == config_.widths.front();
        auto prediction = model_->forward(xt, t, width);
        (loss(prediction, full ? noise : target, t) * share).backward();
        // Logged against the noise for every width, comparable with runs without distillation.
        stats.losses.push_back(torch::mse_loss(prediction.detach(), noise).item<double>() * share);
    }
}

void Trainer::scheduledStep(const at::Tensor& x0, std::vector<at::Generator>& samples, double share,
                            TrainStepStats& stats)
{
    for (double width : stats.widths) {
        if (x0.size(0) == 0) {
            stats.losses.push_back(0);
            continue;
        }
        const size_t w = size_t(std::find(config_.widths.begin(), config_.widths.end(), width) - config_.widths.begin());
        at::Tensor t = w == 0 ? drawTimesteps(samples, config_.diffusion.T)
                              : drawTimestepsFrom(samples, scheduledTimesteps_[w]);
        auto noise = drawNoise(samples, x0);
        auto xt = diffusion_->qSample(x0, t, noise).to(device_);
        t = t.to(device_);
        noise = noise.to(device_);
        at::Tensor target = noise;
        if (options_.distill > 0 && w > 0) {
            torch::NoGradGuard noGrad;
            target = distillationTarget(noise, ema_->forward(xt, t, config_.widths.front()), options_.distill);
        }
        auto prediction = model_->forward(xt, t, width);
        (loss(prediction, target, t) * share).backward();
        stats.losses.push_back(torch::mse_loss(prediction.detach(), noise).item<double>() * share);
    }
}

void Trainer::reduceAcrossRanks(TrainStepStats& stats)
{
    if (group_->worldSize() == 1)
        return;
    torch::NoGradGuard noGrad;
    // Full width uses every parameter, so a rank with a share has every
    // gradient; a rank without one (a short last batch) adds zeros.
    std::vector<at::Tensor> tensors;
    for (auto& p : params_) {
        if (!p.grad().defined())
            p.mutable_grad() = torch::zeros_like(p);
        tensors.push_back(p.grad());
    }
    auto losses = torch::tensor(stats.losses, torch::kDouble);
    tensors.push_back(losses);
    // Each share's loss is already weighted by its fraction: the sum is the
    // global batch's mean. (Overlapping this with the backward pass would need
    // hooks per parameter; the sandwich's several backward passes leave little
    // to overlap.)
    group_->allReduceSum(tensors, "all-reduce of the gradients at step " + std::to_string(step_ + 1));
    for (size_t i = 0; i < stats.losses.size(); ++i)
        stats.losses[i] = losses[int64_t(i)].item<double>();
}

std::vector<at::Tensor> scheduledTimestepsByWidth(const TrainOptions& options, const NetConfig& config)
{
    std::vector<at::Tensor> out(config.widths.size());
    if (options.scheduleWidths.empty())
        return out;
    const int T = config.diffusion.T;
    if (int(options.scheduleWidths.size()) != T)
        throw Error("step-aware training: the schedule has " + std::to_string(options.scheduleWidths.size()) +
                    " timesteps, the model T = " + std::to_string(T));
    std::vector<std::vector<int64_t>> lists(config.widths.size());
    for (int t = 0; t < T; ++t) {
        const double width = options.scheduleWidths[size_t(t)];
        const auto found = std::find(config.widths.begin(), config.widths.end(), width);
        if (found == config.widths.end())
            throw Error("step-aware training: the schedule's width " + formatWidth(width) + " at t = " +
                        std::to_string(t) + " is not one of the model's widths");
        lists[size_t(found - config.widths.begin())].push_back(t);
    }
    for (size_t w = 1; w < lists.size(); ++w) {
        if (lists[w].empty())
            continue;
        // Widen every run of timesteps by the margin on both sides.
        std::vector<char> covered(size_t(T), 0);
        for (int64_t t : lists[w])
            for (int64_t u = std::max<int64_t>(0, t - options.scheduleMargin);
                 u <= std::min<int64_t>(T - 1, t + options.scheduleMargin); ++u)
                covered[size_t(u)] = 1;
        std::vector<int64_t> timesteps;
        for (int t = 0; t < T; ++t)
            if (covered[size_t(t)])
                timesteps.push_back(t);
        out[w] = torch::tensor(timesteps, torch::kLong);
    }
    return out;
}

void Trainer::saveCheckpoint(const std::string& path, const std::map<std::string, std::string>& extraMetadata) const
{
    NamedTensors tensors;
    for (size_t i = 0; i < params_.size(); ++i) {
        tensors.emplace_back("model." + names_[i], params_[i].detach());
        tensors.emplace_back("ema." + names_[i], emaParams_[i].detach());
        tensors.emplace_back("adam_m." + names_[i], adamM_[i]);
        tensors.emplace_back("adam_v." + names_[i], adamV_[i]);
    }
    const auto state = sampler_.state();
    std::map<std::string, std::string> metadata = extraMetadata;
    metadata.insert({
        {"format", kCheckpointFormat},
        {"format_version", "1"},
        {"architecture", toJson(config_).dump()},
        {"options", toJson(options_).dump()},
        {"step", std::to_string(step_)},
        {"sampler", nlohmann::json{{"seed", state.seed}, {"epoch", state.epoch}, {"position", state.position}}.dump()},
    });
    saveSafetensors(path, tensors, metadata);
}

void Trainer::loadCheckpoint(const std::string& path)
{
    SafetensorsFile file = loadSafetensors(path);
    auto meta = [&](const std::string& key) {
        const auto it = file.metadata.find(key);
        if (it == file.metadata.end())
            throw Error(path + ": checkpoint metadata has no \"" + key + "\"");
        return it->second;
    };
    if (meta("format") != kCheckpointFormat)
        throw Error(path + ": not a training checkpoint (format \"" + meta("format") + "\")");
    nlohmann::json architecture, samplerJson;
    int64_t step = 0;
    try {
        architecture = nlohmann::json::parse(meta("architecture"));
        samplerJson = nlohmann::json::parse(meta("sampler"));
        step = std::stoll(meta("step"));
    } catch (const std::exception& e) {
        if (dynamic_cast<const Error*>(&e))
            throw;
        throw Error(path + ": checkpoint metadata is malformed (" + e.what() + ")");
    }
    if (architecture != toJson(config_))
        throw Error(path + ": checkpoint was written for a different architecture: " +
                    describe(netConfigFromJson(architecture, path)) + " (this run: " + describe(config_) + ")");
    std::map<std::string, at::Tensor> stored(file.tensors.begin(), file.tensors.end());
    auto fetch = [&](const std::string& name, const at::Tensor& like) {
        const auto it = stored.find(name);
        if (it == stored.end())
            throw Error(path + ": checkpoint tensor \"" + name + "\" is missing");
        if (it->second.sizes() != like.sizes())
            throw Error(path + ": checkpoint tensor \"" + name + "\" has the wrong shape");
        // Moments may be stored rounded (compactCheckpoint); copy_ widens them.
        if (!it->second.is_floating_point())
            throw Error(path + ": checkpoint tensor \"" + name + "\" is not floating point");
        return it->second;
    };
    // Validate everything first so a bad file leaves the trainer untouched.
    std::vector<std::array<at::Tensor, 4>> loaded;
    for (size_t i = 0; i < params_.size(); ++i)
        loaded.push_back({fetch("model." + names_[i], params_[i]), fetch("ema." + names_[i], params_[i]),
                          fetch("adam_m." + names_[i], params_[i]), fetch("adam_v." + names_[i], params_[i])});
    const JsonFields in(path);
    in.requireObject(samplerJson, "sampler");
    BatchSampler::State state{in.getOr<uint64_t>(samplerJson, "sampler.", "seed", 0),
                              in.getOr<int64_t>(samplerJson, "sampler.", "epoch", 0),
                              in.getOr<int64_t>(samplerJson, "sampler.", "position", 0)};
    BatchSampler restored(images_.size(0), options_.batchSize, state.seed);
    restored.restore(state);

    torch::NoGradGuard noGrad;
    for (size_t i = 0; i < params_.size(); ++i) {
        params_[i].copy_(loaded[i][0]);
        emaParams_[i].copy_(loaded[i][1]);
        adamM_[i].copy_(loaded[i][2]);
        adamV_[i].copy_(loaded[i][3]);
    }
    sampler_ = restored;
    step_ = step;
}

}  // namespace ddsm
