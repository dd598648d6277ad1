#pragma once
// The front door to the core: what the `ddsm` command line and the desktop
// app call, so that every feature behaves the same in both (the spirit of
// stable-diffusion.cpp's single header). Each operation takes an options
// struct with defaults, reports through a progress callback, stops when its
// cancel token is set and returns a result struct. Errors are thrown as
// ddsm::Error (base/error.h) naming the file, setting or value at fault.
//
// Torch-free: a model is an opaque handle, schedules are per-step widths.
// Two time axes (DESIGN.md): `stepWidths` run in denoising order (sampler
// step 0 first, the noisy end); schedule files live on the training axis.
#include "distributed/distributed_config.h"
#include "metrics/estimate.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ddsm {
class Denoiser;
class DistancePredictor;
}

namespace ddsm::api {

// Set by the caller (any thread) to stop an operation before its next network call.
using CancelToken = std::atomic<bool>;

// ---- threads ---------------------------------------------------------------

int defaultThreadCount();           // every core
void setThreadCount(int threads);   // the engine's intra-op threads; throws if < 1

// ---- models ----------------------------------------------------------------

struct OpenOptions {
    std::string path;        // a .safetensors model, a family manifest (.json) or a TorchScript family
    bool randomInit = false; // an untrained slimmable network of `config` instead of `path`
    std::string config;      // architecture JSON, for randomInit
    uint64_t initSeed = 0;
};

// A loaded network of any kind: one slimmable UNet, or a family of separately
// trained networks. Copies share the network.
class Model {
public:
    Model() = default;
    // Wraps a network opened elsewhere (the app's worker holds one).
    explicit Model(std::shared_ptr<Denoiser> denoiser, std::string description = {}, std::string path = {});

    bool isOpen() const { return denoiser_ != nullptr; }
    const std::string& description() const { return description_; }  // the path, or "untrained network (CFG)"
    const std::string& path() const { return path_; }                // empty for an untrained network
    int imageSize() const;
    int channels() const;
    int T() const;                       // training timesteps
    std::vector<double> widths() const;  // descending; [0] is full width
    double macsPerImage(double width) const;
    std::string device() const;          // the torch device it runs on, e.g. "cpu", "cuda:0"
    // For step-by-step viewers (engine/denoiser.h).
    const std::shared_ptr<Denoiser>& denoiser() const { return denoiser_; }

private:
    std::shared_ptr<Denoiser> denoiser_;
    std::string description_, path_;
};

Model openModel(const OpenOptions& options);

// ---- samplers and schedules --------------------------------------------------

struct Sampler {
    std::string kind = "ddim";            // "ddim" or "ddpm"
    int steps = 50;                       // respaced evenly over T
    double eta = 0.0;                     // DDIM stochasticity
    std::string variance = "fixedlarge";  // DDPM: "fixedlarge" or "fixedsmall"
    bool clipX0 = true;                   // clamp predicted x0 to [-1, 1]
    uint64_t seed = 0;                    // the noise

    std::string toString() const;         // "DDIM 50 steps, eta 0, seed 0, clip x0"
    void validate(int T) const;           // throws naming the setting
};

// "1", "0.75": a width as schedules and reports print it.
std::string formatWidth(double width);

// The schedule to run: a file (JSON or the paper's search.txt) or a uniform width.
struct ScheduleRequest {
    std::string file;
    std::optional<double> width;  // neither: the model's full width
    bool snapWidths = false;      // round widths the model lacks to the nearest (with a note); else refused
};

// ---- per-step widths back on the training axis -------------------------------

// The widths by training timestep (T of them) of a schedule given per sampler
// step (steps respaced evenly over T, denoising order): t takes the width of
// the step whose timestep is the nearest at or above it, so the schedule runs
// `stepWidths` again. What a search point or a measured schedule is saved as.
// Throws unless 1 <= stepWidths.size() <= T.
std::vector<double> widthsByTimestep(int T, const std::vector<double>& stepWidths);

// ---- what a model holds, what it costs ---------------------------------------

struct ModelReport {
    std::string sha256;               // of the file
    std::string architecture;         // one line
    std::string architectureJson;     // the architecture, or a family's members, as JSON
    std::string provenanceJson = "{}";
    int64_t parameters = 0;
    bool family = false;              // separately trained networks
    int T = 0;
    std::string betaSchedule, prediction;
    double betaStart = 0, betaEnd = 0;
    std::vector<double> widths, macsPerWidth;
    std::vector<std::string> widthDescriptions;  // per width: the sliced sub-network or family member that runs it
};
ModelReport describeModel(const Model& model);

struct TimingOptions {
    int batch = 64;   // images per network call
    int rounds = 5;   // median of
};
// This machine's ms per image and network call at each width (widths round-robin).
std::vector<double> measureLatency(const Model& model, const TimingOptions& options);

struct LayerCost {
    std::string layer, kind;
    std::vector<int64_t> macsPerWidth;
};

// What a schedule costs; with a layered network, the share of each kind of layer.
struct CostOptions {
    std::string config;          // an architecture JSON, counted instead of a model
    bool breakdown = false;      // per-layer MACs (an architecture only)
    std::optional<ScheduleRequest> schedule;  // also the cost of this schedule
    std::optional<Sampler> sampler;
    std::function<void(const std::string&)> note;  // lines for the log (a snapped schedule)
};

struct CostReport {
    std::string network;         // one line
    bool layered = false;        // counted layer by layer (an architecture, not a family)
    std::vector<double> widths, macsPerWidth;
    std::vector<double> convMacs, linearMacs, attentionMacs;  // layered: each width's MACs by kind of layer
    std::vector<LayerCost> layers;                               // breakdown
    bool hasSchedule = false;
    std::string scheduleName, scheduleDescription;
    int steps = 0;
    double gflopsPerImage = 0, gflopsMeanPerStep = 0, saving = 0;
};
// `model` may be closed when options.config names an architecture.
CostReport countCosts(const Model& model, const CostOptions& options);

// ---- the cost of per-step widths, from counted MACs --------------------------

// What the app recounts on every schedule edit without touching the network.
struct StepCosts {
    double gflopsPerImage = 0;           // the whole trajectory, one image (2 x MACs)
    double fullWidthGflopsPerImage = 0;  // as many steps at widths[0]
    double saving = 0;                   // 1 - gflopsPerImage / fullWidthGflopsPerImage
};
// `widths` descending with their MACs per image and forward pass (ModelReport's
// widths and macsPerWidth); a step width the model lacks counts as the nearest
// wider one (the widest when none is wider).
StepCosts costOfStepWidths(const std::vector<double>& stepWidths, const std::vector<double>& widths,
                           const std::vector<double>& macsPerWidth);

// A schedule scored on fresh noise next to the first of its list, same images.
struct ScheduleScore {
    std::string label;
    std::vector<double> stepWidths;
    double relativeCost = 0;  // search: cost objective; compare: FLOPs, both vs full width
    double fid = 0, fidLow = 0, fidHigh = 0;
    double minusFirst = 0, minusFirstLow = 0, minusFirstHigh = 0;  // paired interval
    double kid = 0;                                                // NaN unless measured
    double samplingSeconds = 0;
    int64_t imagesFromStore = 0;  // read from the feature store, not sampled (their seconds are not in samplingSeconds)
};

// ---- features (what FID and KID are measured in) ---------------------------

struct FeatureOptions {
    std::string network = "default";  // the shipped classifier, a classifier .safetensors, or TorchScript
    std::string output;               // TorchScript: method, flag, dict key or tuple index of the features
    int inputSize = 299;              // TorchScript: bilinear resize (0 = none)
    std::string range = "0-255";      // TorchScript input range: 0-255, 0-1 or -1-1
    int channels = 3;                 // TorchScript: 3 (grayscale repeated) or 1
    std::string reference;            // statistics .npz; empty: the shipped ones (default network only)
};

// ---- importing the paper's checkpoints --------------------------------------

struct ImportOptions {
    std::string checkpoint;          // torch.save of DDSM's training code (read without running its code)
    std::string out;                 // the model file to write (.safetensors)
    bool netWeights = false;         // the raw weights (net_model) instead of the EMA ones
    std::string schedule;            // the paper's search.txt, converted beside the model; empty: none
    bool snapWidths = false;         // round its widths the network lacks to the nearest (with a note)
    std::string config;              // an architecture JSON instead of inferring it
    std::optional<int> imageSize;    // when the checkpoint has no x_T
};

struct ImportResult {
    std::string modelPath, schedulePath;  // schedulePath empty if none was converted
    std::string weights;                  // "ema_model" or "net_model"
    std::string architecture;             // one line
    std::vector<std::string> notes;       // what the user should know (assumed settings, unusual widths)
};

ImportResult importCheckpoint(const ImportOptions& options);

// ---- widening a trained model ----------------------------------------------

struct WidenOptions {
    std::string model;    // a model file holding one slimmable network (not a family)
    std::string config;   // the wider architecture JSON: the model's, base_channels a multiple of it
    std::string out;      // the wider model file to write (.safetensors), provenance naming `model`
    uint64_t seed = 0;    // initialisation of the new parameters
};

struct WidenResult {
    std::string architecture;  // the wider network, one line
    double embeddedWidth = 0;  // its width that computes what the model's full width computes
    double maxDifference = 0;  // measured there on a random batch
};

// A wider network whose sub-network at one of its widths reproduces the model
// (checked, or refused naming the field that differs), ready to train on.
WidenResult widenModel(const WidenOptions& options);

// ---- step importance: where narrowing costs quality ---------------------------

// For bins of training timesteps (bin 0 starts at t = 0, the clean end) and
// each width, how far the narrow network departs from the full one there.
struct ImportanceProfile {
    std::vector<int> binEdges;                        // bins + 1 ascending edges, 0 .. T
    std::vector<double> widths;                       // descending, widths[0] the full network
    std::vector<std::vector<double>> epsDeparture;    // [bin][width]: mean squared eps difference from full width
    std::vector<std::vector<double>> epsError;        // [bin][width]: its mean squared error against the true noise
    int64_t imagesPerBin = 0;
    std::vector<std::vector<double>> distanceChange;  // [bin][width]: FID change with only that bin narrowed; empty: not measured
    double fullWidthDistance = 0;
    int64_t distanceSamples = 0;
    std::string distanceSettings;                     // sampler, features and reference behind distanceChange

    int bins() const { return int(binEdges.size()) - 1; }
};

struct ImportanceProgress {
    enum class Stage { Started, EpsDeparture, DistanceChanges };
    Stage stage = Stage::Started;
    std::string data;            // Started: the real images' description
    int ranks = 1;               // Started
    int done = 0, total = 0;     // bins measured (EpsDeparture); this rank's batches (DistanceChanges)
};

struct ImportanceOptions {
    ImportanceOptions() { sampler.steps = 20; }
    std::string data = "fashion-mnist";  // real images (a dataset spec), resized to the model's
    int bins = 10;
    int64_t imagesPerBin = 512;
    int distanceSamples = 0;             // > 0: also the FID change per bin and width, on this many samples
    int64_t batch = 250;
    Sampler sampler;                     // of the distance changes; its seed also draws images, timesteps and noise
    FeatureOptions features;             // of the distance changes
    DistributedConfig distributed;       // batches dealt out round-robin; every rank gets one process's figures
    std::function<void(const ImportanceProgress&)> progress;  // rank 0 only
    const CancelToken* cancel = nullptr; // checked between batches; every rank stops when any rank's is set
};

struct ImportanceResult {
    bool cancelled = false;              // no profile
    bool mainRank = true;
    std::string data;                    // the real images' description
    ImportanceProfile profile;
};

ImportanceResult measureImportance(const Model& model, const ImportanceOptions& options);

// PREFIX.csv (what readImportanceProfile reads) and PREFIX.png, a plot titled `title`.
void writeImportanceProfile(const ImportanceProfile& profile, const std::string& prefix, const std::string& title);
ImportanceProfile readImportanceProfile(const std::string& csvPath);

// One value per training timestep t (index t, size T) for a timeline overlay:
// the eps departure (or with `distanceChange` the FID change) of `width` in
// the bin holding t. Throws for a width or a measure the profile lacks.
std::vector<double> importancePerTimestep(const ImportanceProfile& profile, double width, bool distanceChange = false);

// ---- the distance predictor: an instant quality estimate of any schedule ------

// A surrogate fitted to the measured FID of random schedules: per timestep bin
// and width, what running that bin narrower adds (evaluation/distance_predictor.h).
// Its calibration records what it was fitted to and how well it ranked
// schedules it never saw; a prediction holds for that sampler alone.
struct PredictorInfo {
    int T = 0;
    int steps = 0;                   // sampler steps behind the measurements
    std::vector<int> binEdges;       // bins + 1 ascending edges, 0 .. T
    std::vector<double> widths;      // descending
    std::string target;              // "distance", or "log-distance" (penalties multiply)
    double ridge = 0;
    std::string model, sampler, featureName, reference;
    std::string samplerTag;          // base/sampler_tag.h, e.g. "ddpm100" (older files: from `sampler`)
    Sampler calibratedSampler;       // the sampler its measurements ran, seed 0 (the tag's)
    std::string estimator;           // what it predicts, "FID"
    int64_t samples = 0;             // images per measured schedule
    int fittedSchedules = 0;
    double fitRmse = 0;
    int heldOutSchedules = 0;
    double heldOutKendallTau = 0;         // rank agreement with measurement on unseen schedules
    double crossValidatedKendallTau = 0;  // leave-one-out over the fitted ones (the model choice)
    int measuredSchedules = 0;            // measurements the calibration keeps, fitted and held out
};

// A loaded calibration; copies share it.
class Predictor {
public:
    Predictor() = default;
    explicit Predictor(std::shared_ptr<const DistancePredictor> predictor);

    bool isOpen() const { return predictor_ != nullptr; }
    const PredictorInfo& info() const { return info_; }
    // A schedule on the training axis (one width per t, size T); widths between
    // the calibrated ones count as the nearest. Takes microseconds.
    double predict(const std::vector<double>& widthsByTimestep) const;

private:
    std::shared_ptr<const DistancePredictor> predictor_;
    PredictorInfo info_;
};

// A calibration file (`ddsm predictor fit`); throws naming the file.
Predictor openPredictor(const std::string& path);

struct PredictOptions {
    ScheduleRequest schedule;        // checked against the calibration's widths
    Sampler sampler;                 // must be the calibration's (info().calibratedSampler, any seed):
                                     // a prediction holds for that sampler alone
    std::function<void(const std::string&)> note;  // lines for the log (a snapped schedule)
};

struct Prediction {
    double value = 0;
    double microseconds = 0;         // the prediction alone
};

Prediction predict(const Predictor& predictor, const PredictOptions& options);

struct PredictorProgress {
    int done = 0, total = 0;         // schedules measured
};

struct PredictorFitOptions {
    PredictorFitOptions() { sampler.steps = 20; }
    int bins = 8;                    // timestep bins
    int fitSchedules = 40;
    int heldOutSchedules = 20;       // that only test the ranking
    int samples = 500;               // images per schedule
    int batch = 250;
    Sampler sampler;                 // of every measurement; its seed is the noise all schedules share
    uint64_t scheduleSeed = 1;       // draws of the random schedules
    std::optional<double> ridge;     // a fixed ridge (>= 0) on `target`; none: both chosen by leave-one-out
    std::optional<std::string> target;  // with `ridge`: "distance" (none given) or "log-distance"; refused alone
    FeatureOptions features;
    std::string out;                 // the calibration (JSON) to write; empty: none
    std::function<void(const PredictorProgress&)> progress;
    const CancelToken* cancel = nullptr;  // checked before every network call
};

struct PredictorRefitOptions {
    std::string calibration;         // whose measurements are fitted again, without sampling
    int bins = 0;                    // > 0: re-bin the timestep axis; 0: the calibration's bins
    std::optional<double> ridge;     // as PredictorFitOptions
    std::optional<std::string> target;
    std::string out;                 // the calibration to write; empty: none
};

struct PredictorFitResult {
    PredictorInfo calibration;
    double measureSeconds = 0;       // sampling and features of the schedules this fit measured
    int keptSchedules = 0;           // distances an interrupted fit kept (OUT.partial), not measured again
    double predictMicroseconds = 0;  // mean time of one prediction
    // Cancelled: nothing written and no calibration; the `schedulesMeasured`
    // distances so far stay in `progressFile`, where the same fit goes on from them.
    bool cancelled = false;
    int schedulesMeasured = 0;       // of fitSchedules + heldOutSchedules, kept ones included
    std::string progressFile;        // OUT.partial while the fit measures; empty when none is kept
};

PredictorFitResult fitPredictor(const Model& model, const PredictorFitOptions& options);
PredictorFitResult refitPredictor(const PredictorRefitOptions& options);

// ---- training: slimmable training, resumable --------------------------------

// One setting of slimmable training, as core/training declares it once (its
// `ddsm train` flag, help and default): what a caller offers the user.
struct TrainSetting {
    std::string flag;            // without "--"
    std::string value;           // the value's placeholder, "N"
    std::string help;
    std::string defaultValue;    // as text
    bool changesOnResume = false;  // may change from a resumed step on
};
// The settings a user may give, in declaration order.
std::vector<TrainSetting> trainSettings();

struct TrainProgress {
    enum class Stage {
        Note,     // `note`: a line for the log (a setting changing on resume, the ranks, the start)
        Started,  // rank 0: `data`, `network`, `ranks`
        Step,     // rank 0: every few steps
        Message,  // rank 0: `message` at `step` (a checkpoint saved, samples written)
    };
    Stage stage = Stage::Note;
    std::string note;
    std::string data, network;   // descriptions
    int ranks = 1;
    int64_t step = 0, totalSteps = 0;
    double stepsPerSecond = 0, samplesPerSecond = 0, gflopsPerSecond = 0, etaSeconds = 0;
    double recentLoss = 0;       // mean full-width loss since the last Step
    std::string message;
};

struct TrainRequest {
    TrainRequest();              // checkpointEvery and sampleEvery: the training loop's defaults
    std::string out;             // the run's folder: checkpoint, loss.csv, samples/, model.safetensors
    bool resume = false;         // continue out/checkpoint.safetensors under its settings
    std::string config;          // a new run's architecture JSON
    std::string initWeights;     // a new run from a model file's weights (and architecture); Adam starts afresh
    std::string data;            // a dataset spec; empty: fashion-mnist, or when resuming the checkpoint's
    // Settings by flag (trainSettings()) as text; those not set keep their
    // defaults, or when resuming the checkpoint's (only changesOnResume ones may be set).
    std::map<std::string, std::string> settings;
    bool horizontalFlip = true;  // augmentation (a new run)
    std::string schedule;        // step-aware training on this schedule file (a new run)
    int limit = -1;              // only the first N images
    int64_t checkpointEvery = 0;
    int64_t sampleEvery = 0;     // 0: no sample grids
    DistributedConfig distributed;  // data parallel: each rank 1/N of every batch
    const CancelToken* cancel = nullptr;  // checkpoints and stops (every rank at the same step)
    std::function<void(const TrainProgress&)> progress;
};

struct TrainResult {
    int64_t completedSteps = 0;  // in total, counting a resumed run's earlier ones
    int64_t totalSteps = 0;
};

TrainResult train(const TrainRequest& request);

struct CompactCheckpointResult {
    int64_t step = 0;                  // the training step the checkpoint holds
    int64_t bytesBefore = 0, bytesAfter = 0;
};

// A training checkpoint small enough to keep beside a model: Adam moments
// rounded to bfloat16 (weights, EMA and batch order exact); `ddsm train
// --resume` continues from it. Written atomically; a file that is not a
// training checkpoint is refused naming it.
CompactCheckpointResult compactCheckpoint(const std::string& checkpoint, const std::string& out);

// ---- the feature classifier: the default feature space of FID and KID ---------

struct ClassifierProgress {
    enum class Stage { Started, Batch, Epoch };
    Stage stage = Stage::Started;
    std::string trainData, testData;  // Started: descriptions
    int64_t done = 0, total = 0;      // Batch: within the epoch
    int epoch = 0;                    // Epoch: 1-based, just completed
    double trainLoss = 0, testAccuracy = 0, seconds = 0;
};

struct ClassifierTrainingOptions {
    ClassifierTrainingOptions();      // epochs to seed: the network's and the training's defaults (evaluation/)
    std::string out;                  // the classifier file to write (.safetensors)
    std::string data = "fashion-mnist";       // labelled training data
    std::string test = "fashion-mnist:test";  // labelled test data
    int epochs;
    int64_t batch;
    double learningRate;              // Adam
    int featureDim;                   // width of the feature layer
    int conv1, conv2;                 // channels of the two convolutions
    uint64_t seed;                    // initialisation, batch order and dropout
    double minAccuracy = 0.9;         // below this test accuracy nothing is written
    std::string command;              // recorded in the file: how it was made
    std::function<void(const ClassifierProgress&)> progress;
};

struct ClassifierTrainingResult {
    bool written = false;             // false: below minAccuracy
    std::string featureName;          // e.g. "fmnist-cnn-128"
    int featureDim = 0;
    double testAccuracy = 0;
};

ClassifierTrainingResult trainFeatureClassifier(const ClassifierTrainingOptions& options);

// ---- launching the local ranks of a data-parallel job -----------------------

// As torchrun starts them: each rank with MASTER_ADDR, MASTER_PORT,
// WORLD_SIZE, RANK, LOCAL_RANK and LOCAL_WORLD_SIZE, its output forwarded
// line by line as "[rank R] ...". A failing rank ends the others (SIGTERM,
// then SIGKILL after the grace period).
struct LaunchOptions {
    LaunchOptions();                  // every field below: the launcher's default (distributed/launcher.h)
    int nproc;                        // ranks on this machine
    int nnodes;                       // machines in the job
    int nodeRank;                     // this machine's index
    std::string masterAddr;           // host of rank 0
    int masterPort;                   // 0: any free port (one-machine jobs)
    double graceSeconds;              // from a failure to SIGKILL of the rest
    std::vector<std::string> command; // "ddsm" as the first word runs this same executable
    std::function<void(const std::string&)> note;  // the launcher's own messages (which rank failed)
};

// 0 when every rank exited with 0, else the first failing rank's exit code.
int launch(const LaunchOptions& options);

// ---- reference statistics of a data set -----------------------------------

struct StatsResult;

struct StatsProgress {
    enum class Stage { Loaded, Features, Computed };
    Stage stage = Stage::Loaded;
    std::string data, featureName;   // Loaded: the data set's description, the feature network
    int64_t featureDim = 0;
    int64_t done = 0, total = 0;     // Features: images through the network so far
    const StatsResult* result = nullptr;  // Computed: before anything is written
};

struct StatsOptions {
    std::string data;                // fashion-mnist[:train|:test][:DIR] or a folder of images
    int limit = -1;                  // only the first N images (-1: all)
    int imageSize = 28, channels = 1;  // folders: resized to, channels kept
    FeatureOptions features;         // features.reference: also the distance of the data to it
    std::string outPath;             // statistics to write (.npz, pytorch-fid's layout); empty: none
    std::string source;              // what they describe; empty: the data spec and count
    int64_t batch = 500;
    std::function<void(const StatsProgress&)> progress;
};

struct StatsResult {
    int64_t count = 0;
    double seconds = 0;              // features and statistics
    double traceSigma = 0, muNorm = 0;
    std::string source;
    std::optional<Estimate> distance;  // to features.reference
};

// Mean and covariance of the features of every image of a data set.
StatsResult referenceStats(const StatsOptions& options);

// ---- compare: schedules on the same noise, paired intervals ----------------

struct ComparePlan {
    std::string model, sampler, quality, reference;
    int samples = 0, batch = 0, ranks = 1;
};

struct CompareProgress {
    enum class Stage { Note, Started, Scored };
    Stage stage = Stage::Note;
    std::string note;
    const ComparePlan* plan = nullptr;
    const ScheduleScore* row = nullptr;  // Scored: as soon as measured (rank 0)
};

struct CompareOptions {
    // "width:W" or a schedule file; "SPEC@MODEL" samples SPEC with another
    // model file (same image shape and T) from the same noise.
    std::vector<std::string> schedules;
    Sampler sampler;
    int samples = 1024;
    int batch = 128;
    int bootstrapRounds = 200;
    bool snapWidths = false;
    FeatureOptions features;
    std::string jsonPath;            // also write the results there (rank 0)
    // Full width's features are kept here between runs (same model file,
    // sampler, seed, batch and features) and read instead of sampled; empty: none.
    // defaultFeatureStore() is the user's cache directory.
    std::string featureStore;
    DistributedConfig distributed;
    const CancelToken* cancel = nullptr;
    std::function<void(const CompareProgress&)> progress;
};

struct CompareResult {
    bool mainRank = true;
    std::vector<ScheduleScore> rows;  // relativeCost: FLOPs vs the model's full width; minusFirst vs rows[0]
};

CompareResult compare(const Model& model, const CompareOptions& options);

// The user's feature store: $DDSM_FEATURE_STORE when set (empty: none), else
// $XDG_CACHE_HOME/ddsm-studio/features, else ~/.cache/ddsm-studio/features.
std::string defaultFeatureStore();

// ---- quality: FID and KID of one schedule's samples ------------------------

struct QualityPlan {
    std::string model, schedule, sampler;
    double gflopsPerImage = 0, saving = 0;  // vs full width
    int batch = 0, ranks = 1;
};

struct QualityProgress {
    enum class Stage { Note, KidReference, Started, Batch };
    Stage stage = Stage::Started;
    std::string note;                    // Note: a line for the log (a snapped schedule)
    std::string kidReference;            // KidReference: where the real images came from
    const QualityPlan* plan = nullptr;
    int64_t done = 0, total = 0;         // Batch: images so far
    double seconds = 0;
    std::optional<Estimate> fid;         // Batch: a quick estimate (50 bootstrap rounds)
};

struct QualityOptions {
    ScheduleRequest schedule;
    Sampler sampler;
    int samples = 2000;              // image i from the same noise as `sample` with the seed
    int batch = 250;
    int bootstrapRounds = 200;
    FeatureOptions features;
    // Real images for KID: a dataset spec, "none" to skip; empty: fashion-mnist
    // with the default features, else none.
    std::string kidData;
    int kidCount = 10000;
    DistributedConfig distributed;
    const CancelToken* cancel = nullptr;
    std::function<void(const QualityProgress&)> progress;
};

struct QualityResult {
    bool mainRank = true;
    Estimate fid;
    std::optional<Estimate> kid;
    int samples = 0;
    double seconds = 0;
};

QualityResult measureQuality(const Model& model, const QualityOptions& options);

// ---- tracking one schedule against full width, batch by batch ---------------

// What a quality tracking keeps for the next one: the shipped feature network
// and statistics, KID's real-image features, and full width's features of the
// last model and sampler, so that after a schedule edit only the new
// schedule's images are sampled. Copies share it; one tracking at a time.
class QualityMemory {
public:
    QualityMemory();
    struct State;  // the implementation's
    State& state() const { return *state_; }

private:
    std::shared_ptr<State> state_;
};

// Reads the shipped feature network and statistics into `memory`, checked
// against the model; throws naming what is missing or does not fit (no shipped
// files, statistics of another network, images the network cannot take).
void checkShippedFeatures(const Model& model, QualityMemory& memory);

struct QualityTrackEstimate {
    Estimate fid;                      // with its bootstrap interval
    std::optional<Estimate> kid;       // from 4 images on, with KID's real images
    int samples = 0;
    // Narrower than full width: FID(schedule) - FID(full width) on the same
    // images, with the paired bootstrap interval, and full width's FID.
    std::optional<Estimate> minusFullWidth;
    double fullWidthFid = 0;
    int64_t fullWidthSampled = 0;      // full width's images sampled so far (the others were kept or stored)
    std::string storeProblem;          // why full width's images could not be stored (kept in memory only)
    bool finished = false;             // the last of its tracking: interval tight enough or maxSamples reached
};

struct QualityTrackOptions {
    std::vector<double> widthsByTimestep;  // the schedule, one width per training timestep
    Sampler sampler;                       // image i from the same noise as `sample` with its seed
    int maxSamples = 2000;
    int batch = 100;                       // at least 2
    int minSamples = 500;                  // before the interval may stop it
    double stopRelativeHalfWidth = 0.05;   // unpaired: stop once FID's interval is within +-5% of it
    // A schedule narrower than full width is also measured against full width
    // on the same images, and stops once that paired interval is within
    // +-stopPairedHalfWidth FID instead.
    bool pairedWithFullWidth = true;
    double stopPairedHalfWidth = 2.0;
    bool kid = true;                       // KID against 2,000 Fashion-MNIST training images, when installed
    // Full width's features are also kept here between launches (empty: in
    // memory only), keyed by the model file's sha256: modelSha256 (e.g.
    // describeModel's), else the file at model.path() hashed at each call.
    std::string featureStore, modelSha256;
    const CancelToken* cancel = nullptr;   // checked between batches and inside them
    std::function<void(const QualityTrackEstimate&)> progress;  // after every batch
};

struct QualityTrackResult {
    bool cancelled = false;
    std::optional<QualityTrackEstimate> last;  // the final estimate; none if cancelled before one
};

// One schedule's FID (the shipped features and statistics, as `ddsm fid` with
// its defaults) and KID (against 2,000 training images, where `ddsm fid` takes
// 10,000: they load in a second), estimated after every batch until
// maxSamples or the interval target, with its paired difference to full width
// (as `ddsm compare width:1 SCHEDULE` on the same images). A full-width
// schedule's images are the ones kept for pairing: it reads and extends them.
QualityTrackResult trackQuality(const Model& model, QualityMemory& memory, const QualityTrackOptions& options);

// ---- sample: an image grid under a schedule --------------------------------

struct SampleStep {
    int step = 0, steps = 0, timestep = 0;
    double width = 0;
};

struct SampleOptions {
    ScheduleRequest schedule;
    Sampler sampler;
    int count = 16;
    std::string gridPath;            // the grid (.png), with the settings as a "ddsm-settings" text chunk
    std::string framesDir;           // also a grid per step (x_t and predicted x0); empty: none
    const CancelToken* cancel = nullptr;
    std::function<void(const SampleStep&)> progress;
    std::function<void(const std::string&)> note;  // lines for the log (a snapped schedule)
};

struct SampleResult {
    bool cancelled = false;          // nothing written
    std::string schedule, sampler;   // descriptions
    double gflopsPerImage = 0, saving = 0;
    double seconds = 0;
};

SampleResult sample(const Model& model, const SampleOptions& options);

// ---- animations: frames as a clip -------------------------------------------

struct Image8 {
    int width = 0, height = 0;
    int channels = 1;              // 1: grey, 3: RGB
    std::vector<uint8_t> pixels;   // rows top first, channels interleaved, no padding
};

struct AnimationOptions {
    std::vector<Image8> frames;    // one size
    std::string path;              // ending .mp4 (any case): an MP4 clip; else a folder of frame_00000.png, ...
    double framesPerSecond = 10;
};

// Throws naming a frame that does not fit or a clip that cannot be encoded.
void writeAnimation(const AnimationOptions& options);

// ---- search ----------------------------------------------------------------

// One evaluated schedule of a search.
struct SearchPoint {
    std::vector<double> stepWidths;  // one per sampler step, denoising order
    double relativeCost = 0;         // cost objective relative to full width
    double gflopsPerImage = 0;
    double quality = 0;              // the search score (FID, or FID minus full width's)
    double uncertainty = 0;          // its standard error (paired scores)
    int64_t samples = 0;             // images it was scored on
};

struct SearchPlan {
    std::string model, sampler, quality, reference;
    std::string costKind, costUnit;  // "flops" / "GFLOPs" or "latency" / "ms"
    std::vector<double> widths, costPerWidth;
    int population = 0, generations = 0, genes = 0, batch = 0, ranks = 1;
    std::string genesDescription;
    double budget = 0;
};

struct SearchGeneration {
    int generation = 0, generations = 0;  // 0 = the initial population
    double budget = 0;
    std::vector<SearchPoint> evaluated, front;  // front by ascending cost
    std::optional<SearchPoint> best;            // best score within the budget
    int evaluatedThisGeneration = 0, raisedThisGeneration = 0;
    int64_t cacheLookups = 0, cacheHits = 0;
    double cacheHitRate = 0, prefixReuseRate = 0, secondsSaved = 0, elapsedSeconds = 0;
};

struct SearchFinalist {
    SearchPoint point;             // with its search score
    double validationQuality = 0;  // its score on the validation noise
};

struct SearchValidation {
    int images = 0;
    uint64_t seed = 0;
    std::vector<SearchFinalist> finalists;  // empty until scored
    size_t chosen = 0;
};

struct SearchProgress {
    enum class Stage {
        Note,        // `note`: a line for the log (latency measured, fallback features, resumed)
        Started,     // `plan`
        Generation,  // `generation`
        Validating,  // `validation` (finalists not scored yet)
        Validated,   // `validation`
    };
    Stage stage = Stage::Note;
    std::string note;
    const SearchPlan* plan = nullptr;
    const SearchGeneration* generation = nullptr;
    const SearchValidation* validation = nullptr;
};

struct SearchOptions {
    Sampler sampler;                 // its seed is the search noise and the evolution's seed
    std::string granularity = "steps";  // a gene per step, or "bins:K"
    double budget = 0.5;             // cost relative to full width
    std::string cost = "flops";      // "flops" or "latency"
    // Latency per width (ms per image-step, widest first); empty with cost
    // "latency": measured here once (and kept as outDir/latency.json).
    std::vector<double> latencyMsPerWidth;
    int population = 32;
    int generations = 20;            // after the initial one
    int samplesPerCandidate = 128;
    bool pairedScore = true;         // FID minus full width's on the same images; else absolute FID
    std::optional<int> raceMaxSamples;  // racing; default 8 x samplesPerCandidate when paired, else off
    double raceZ = 2.0;
    std::string crossover = "uniform";  // or "one-point"
    double crossoverProbability = 0.9;
    double mutationProbability = 0.0;   // 0: 1 / genes
    std::vector<std::string> initSchedules;  // schedule files added to the initial population
    bool snapWidths = false;         // round their widths the model lacks to the nearest
    std::string features;            // "default", a classifier, TorchScript, "pixels"; empty: default when shipped, else pixels
    std::string reference;           // statistics .npz; empty: shipped (default features) or from `data`
    std::string data;                // Fashion-MNIST for reference statistics; empty: the Debian dataset
    int referenceCount = 10000;
    bool kid = false;                // also KID (needs `data`)
    std::string predictor;           // a distance predictor calibration: pre-screen offspring
    int prescreen = 3;
    int batch = 128;
    int64_t prefixCacheMb = 1024;
    std::optional<int> finalSamples;     // re-evaluation images; default 4 x samplesPerCandidate
    std::optional<uint64_t> finalSeed;   // default sampler.seed + 1000003
    int finalists = 1;               // >1: the best K under the budget are scored again on validation noise
    int bootstrapRounds = 200;
    // Full width's scoring and validation features kept between runs, as
    // CompareOptions::featureStore (the final re-evaluation samples full width
    // beside the chosen schedule, so its speed-up is measured).
    std::string featureStore;
    std::string outDir;              // checkpoint, pareto.*, best.json, reevaluation.json; empty: none written
    bool resume = false;             // from outDir/checkpoint.json
    DistributedConfig distributed;   // one process unless worldSize > 1
    const CancelToken* cancel = nullptr;
    std::function<void(const SearchProgress&)> progress;
};

struct SearchResult {
    bool cancelled = false;
    bool mainRank = true;            // rank 0 (the others' result holds no scores)
    std::vector<SearchPoint> front;
    std::optional<SearchPoint> best;         // best search score within the budget; none: nothing fits
    SearchValidation validation;             // finalists, when more than one was scored
    std::optional<SearchPoint> chosen;       // the schedule re-evaluated
    std::vector<ScheduleScore> reevaluation; // full width, then the chosen one, on fresh noise
    int finalSamples = 0;
    uint64_t finalSeed = 0;
};

SearchResult search(const Model& model, const SearchOptions& options);

}  // namespace ddsm::api
