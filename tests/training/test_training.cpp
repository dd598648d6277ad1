// Slimmable training on a slice of data: the loss falls, resuming equals an
// uninterrupted run, and a corrupt checkpoint is rejected without damage.
#include "base/atomic_file.h"
#include "base/error.h"
#include "engine/diffusion.h"
#include "engine/slimmable_unet.h"
#include "io/safetensors.h"
#include "training/checkpoint_compaction.h"
#include "training/model_widening.h"
#include "training/trainer.h"
#include "training/training_run.h"
#include "tiny_net.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

#include <sstream>

#include <filesystem>

using namespace ddsm;

namespace {

NetConfig tiny()
{
    NetConfig c = test::tinyNet();
    c.dropout = 0.1;  // dropout on: resume must reproduce its random masks too
    c.widths = {1.0, 0.75, 0.5};
    c.diffusion.T = 100;
    return c;
}

// Structured data: smooth blobs, so there is something to learn quickly.
at::Tensor blobs(int n)
{
    auto g = at::detail::createCPUGenerator(3);
    auto centre = torch::rand({n, 2, 1, 1}, g) * 4 + 2;
    auto grid = torch::arange(8, torch::kFloat);
    auto dy = (grid.view({1, 1, 8, 1}) - centre.slice(1, 0, 1)).pow(2);
    auto dx = (grid.view({1, 1, 1, 8}) - centre.slice(1, 1, 2)).pow(2);
    return torch::exp(-(dx + dy) / 4) * 2 - 1;
}

TrainOptions options(int64_t steps)
{
    TrainOptions o;
    o.steps = steps;
    o.batchSize = 16;
    o.learningRate = 2e-3;
    o.warmupSteps = 5;
    o.seed = 4;
    return o;
}

}  // namespace

class TestTraining final : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { torch::set_num_threads(1); }

    void lossFallsAndEveryWidthIsTrained()
    {
        Trainer trainer(tiny(), options(120), blobs(256), c10::Device(c10::kCPU));
        double early = 0, late = 0;
        std::set<double> widthsSeen;
        for (int i = 0; i < 120; ++i) {
            const auto stats = trainer.step();
            QVERIFY(stats.widths.size() == 3);
            QCOMPARE(stats.widths[0], 1.0);  // sandwich: full,
            QCOMPARE(stats.widths[1], 0.5);  // smallest,
            widthsSeen.insert(stats.widths[2]);
            if (i < 10)
                early += stats.losses[0] / 10;
            if (i >= 110)
                late += stats.losses[0] / 10;
        }
        QCOMPARE(widthsSeen, std::set<double>{0.75});  // and the middle width
        QVERIFY2(late < 0.7 * early, qPrintable(QString("loss %1 -> %2").arg(early).arg(late)));
    }

    // Two middle widths drawn distinct train both every batch; drawn with
    // replacement (older runs) one of them is sometimes drawn twice.
    void middleWidthsAreDrawnDistinctOrWithReplacement()
    {
        NetConfig four = tiny();
        four.widths = {1.0, 0.75, 0.5, 0.25};
        TrainOptions o = options(30);
        o.middleWidths = 2;
        QCOMPARE(o.middleDraw, std::string("distinct"));
        Trainer distinct(four, o, blobs(32), c10::Device(c10::kCPU));
        std::set<std::vector<double>> orders;
        for (int i = 0; i < 12; ++i) {
            const auto widths = distinct.step().widths;
            QCOMPARE(widths.size(), size_t(4));
            QCOMPARE(std::set<double>(widths.begin(), widths.end()), (std::set<double>{1.0, 0.75, 0.5, 0.25}));
            orders.insert(widths);
        }
        QCOMPARE(orders.size(), size_t(2));  // the two middle widths come in either order

        // One middle width of two: both over the steps, and the same draws in
        // either mode (runs of one middle width draw as before the choice).
        o.middleWidths = 1;
        Trainer one(four, o, blobs(32), c10::Device(c10::kCPU));
        TrainOptions independentOne = o;
        independentOne.middleDraw = "with-replacement";
        Trainer oneIndependent(four, independentOne, blobs(32), c10::Device(c10::kCPU));
        std::set<double> seen;
        for (int i = 0; i < 12; ++i) {
            const auto widths = one.step().widths;
            QCOMPARE(widths.size(), size_t(3));
            QCOMPARE(oneIndependent.step().widths, widths);
            seen.insert(widths[2]);
        }
        QCOMPARE(seen, (std::set<double>{0.75, 0.5}));

        o.middleWidths = 2;
        o.middleDraw = "with-replacement";
        Trainer independent(four, o, blobs(32), c10::Device(c10::kCPU));
        int repeats = 0;
        for (int i = 0; i < 12; ++i) {
            const auto widths = independent.step().widths;
            repeats += widths[2] == widths[3];
        }
        QVERIFY2(repeats > 0 && repeats < 12, qPrintable(QString("%1 repeated draws of 12").arg(repeats)));

        // A run from before the choice existed resumes drawing as it did.
        auto older = toJson(o);
        older.erase("middle_draw");
        QCOMPARE(trainOptionsFromJson(older, "older run").middleDraw, std::string("with-replacement"));
        QCOMPARE(trainOptionsFromJson(toJson(TrainOptions{}), "new run").middleDraw, std::string("distinct"));
        o.middleDraw = "sometimes";
        QVERIFY_THROWS_EXCEPTION(Error, o.validate());
    }

    // Step-aware training: width 0.5 runs for t >= 60 and 0.75 nowhere, so a
    // step trains full width and 0.5 only, 0.5 on t in [60 - margin, 100).
    void stepAwareTrainingTrainsEachWidthWhereTheScheduleRunsIt()
    {
        TrainOptions o = options(4);
        o.scheduleWidths.assign(100, 1.0);
        for (int t = 60; t < 100; ++t)
            o.scheduleWidths[size_t(t)] = 0.5;
        o.scheduleMargin = 5;
        const auto timesteps = scheduledTimestepsByWidth(o, tiny());
        QVERIFY(!timesteps[0].defined() && !timesteps[1].defined());
        QCOMPARE(timesteps[2].size(0), int64_t(45));
        QCOMPARE(timesteps[2].min().item<int64_t>(), int64_t(55));
        QCOMPARE(timesteps[2].max().item<int64_t>(), int64_t(99));

        Trainer trainer(tiny(), o, blobs(64), c10::Device(c10::kCPU));
        const auto stats = trainer.step();
        QCOMPARE(stats.widths, (std::vector<double>{1.0, 0.5}));
        QCOMPARE(stats.losses.size(), size_t(2));
        QCOMPARE(trainOptionsFromJson(toJson(o), "o").scheduleWidths, o.scheduleWidths);

        o.scheduleWidths[7] = 0.6;
        bool named = false;
        try {
            scheduledTimestepsByWidth(o, tiny());
        } catch (const std::exception& e) {
            named = std::string(e.what()).find("width 0.6") != std::string::npos &&
                    std::string(e.what()).find("t = 7") != std::string::npos;
        }
        QVERIFY(named);
    }

    void aRunCanStartFromTrainedWeights()
    {
        Trainer trained(tiny(), options(30), blobs(64), c10::Device(c10::kCPU));
        for (int i = 0; i < 30; ++i)
            trained.step();
        const auto measure = [](Trainer& t) {
            torch::NoGradGuard noGrad;
            auto x = blobs(8);
            return t.ema().forward(x, torch::full({8}, 50, torch::kLong), 1.0);
        };
        Trainer fresh(tiny(), options(30), blobs(64), c10::Device(c10::kCPU));
        fresh.startFromWeights(trained.model(), "trained");
        // The model and its EMA both hold the trained weights; a random start does not.
        const auto source = trained.model().named_parameters();
        for (const auto& p : fresh.model().named_parameters())
            QVERIFY2(torch::equal(p.value(), source[p.key()]), qPrintable(QString::fromStdString(p.key())));
        for (const auto& p : fresh.ema().named_parameters())
            QVERIFY(torch::equal(p.value(), source[p.key()]));
        Trainer random(tiny(), options(30), blobs(64), c10::Device(c10::kCPU));
        QVERIFY(!torch::allclose(measure(random), measure(fresh)));
        // Training goes on from there; a started run, or another architecture, is refused.
        QVERIFY(std::isfinite(fresh.step().losses[0]));
        try {
            fresh.startFromWeights(trained.model(), "trained");
            QFAIL("a run that has taken steps took new weights");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("before its first step") != std::string::npos);
        }
        NetConfig other = tiny();
        other.baseChannels = 8;
        SlimmableUNet otherNet(other);
        Trainer another(tiny(), options(30), blobs(64), c10::Device(c10::kCPU));
        try {
            another.startFromWeights(otherNet, "other.safetensors");
            QFAIL("weights of another architecture were taken");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("other.safetensors: its architecture differs") != std::string::npos);
        }
    }

    void aWiderNetworkEmbedsTheTrainedOneAtANarrowerWidth()
    {
        Trainer trained(tiny(), options(20), blobs(64), c10::Device(c10::kCPU));
        for (int i = 0; i < 20; ++i)
            trained.step();
        NetConfig wider = tiny();
        wider.baseChannels = 32;
        wider.widths = {1.0, 0.75, 0.5, 0.25};
        const WidenedModel widened = widenModel(trained.ema(), wider, 7);
        QCOMPARE(widened.embeddedWidth, 0.5);
        // On inputs and timesteps of its own, width 0.5 computes what the trained
        // full width computes, and width 0.25 what its width 0.5 computes (a
        // prefix of a prefix); the full width is a different network.
        {
            torch::NoGradGuard noGrad;
            trained.ema().eval();
            widened.net->eval();
            auto g = at::detail::createCPUGenerator(11);
            const auto x = torch::randn({16, 1, 8, 8}, g);
            const auto t = torch::arange(0, 100, 100 / 16, torch::kLong).slice(0, 0, 16);
            const auto full = trained.ema().forward(x, t, 1.0);
            QVERIFY((widened.net->forward(x, t, 0.5) - full).abs().max().item<double>() < 1e-5);
            QVERIFY((widened.net->forward(x, t, 0.25) - trained.ema().forward(x, t, 0.5)).abs().max().item<double>() < 1e-5);
            QVERIFY((widened.net->forward(x, t, 1.0) - full).abs().max().item<double>() > 1e-3);
        }
        // It trains on from there.
        Trainer next(wider, options(5), blobs(64), c10::Device(c10::kCPU));
        next.startFromWeights(*widened.net, "widened");
        QVERIFY(std::isfinite(next.step().losses[0]));

        // What cannot be embedded is refused, naming why.
        const auto refusal = [&](const NetConfig& config) {
            try {
                widenModel(trained.ema(), config, 7);
            } catch (const Error& e) {
                return std::string(e.what());
            }
            return std::string("accepted");
        };
        NetConfig noWidth = wider;
        noWidth.widths = {1.0, 0.75};
        QVERIFY(refusal(noWidth).find("add width 0.5") != std::string::npos);
        NetConfig notMultiple = wider;
        notMultiple.baseChannels = 24;
        QVERIFY(refusal(notMultiple).find("not a multiple of 16") != std::string::npos);
        NetConfig otherLevels = wider;
        otherLevels.channelMult = {1, 2, 2};
        QVERIFY2(refusal(otherLevels).find("\"channel_mult\" differs") != std::string::npos, refusal(otherLevels).c_str());
    }

    void minSnrWeightingFollowsItsClosedForm()
    {
        // Linear betas 1e-4..0.02 over T = 1000, computed here independently.
        const int T = 1000;
        std::vector<double> alphaBar(T);
        double product = 1;
        for (int t = 0; t < T; ++t) {
            product *= 1 - (1e-4 + (0.02 - 1e-4) * t / (T - 1));
            alphaBar[size_t(t)] = product;
        }
        DiffusionConfig diffusion;
        GaussianDiffusion engine(diffusion);
        const auto t = torch::tensor(std::vector<int64_t>{0, 10, 100, 300, 500, 999});
        const auto weights = minSnrWeights(engine.alphasCumprod(), t, 5.0);
        for (int64_t i = 0; i < t.size(0); ++i) {
            const double ab = alphaBar[size_t(t[i].item<int64_t>())], snr = ab / (1 - ab);
            QVERIFY2(std::abs(weights[i].item<double>() - std::min(snr, 5.0) / snr) < 1e-9,
                     qPrintable(QString::number(t[i].item<int64_t>())));
        }
        // Near the clean end SNR is large and the weight small; at the noisy end it is 1.
        QVERIFY(weights[0].item<double>() < 0.01 && weights[5].item<double>() == 1.0);
        QVERIFY(torch::equal(minSnrWeights(engine.alphasCumprod(), t, 0), torch::ones({6}, torch::kDouble)));

        // A run with it learns from other gradients; the logged loss stays the plain MSE.
        TrainOptions weighted = options(3);
        weighted.minSnrGamma = 5;
        Trainer plain(tiny(), options(3), blobs(64), c10::Device(c10::kCPU));
        Trainer withMinSnr(tiny(), weighted, blobs(64), c10::Device(c10::kCPU));
        const auto a = plain.step(), b = withMinSnr.step();
        QCOMPARE(a.losses, b.losses);  // the same batch, noise and weights before the update
        QVERIFY(std::abs(a.gradNorm - b.gradNorm) > 1e-6 * a.gradNorm);
        // Weights of 1 everywhere (gamma beyond every SNR) give the plain gradient.
        TrainOptions huge = options(3);
        huge.minSnrGamma = 1e12;
        Trainer ones(tiny(), huge, blobs(64), c10::Device(c10::kCPU));
        QVERIFY(std::abs(ones.step().gradNorm - a.gradNorm) < 1e-5 * a.gradNorm);
        // Stored with the run's options.
        QCOMPARE(trainOptionsFromJson(toJson(weighted), "x").minSnrGamma, 5.0);
    }

    void emaFollowsItsDecayWithOrWithoutTheRamp()
    {
        // After step k the EMA is decay * previous + (1 - decay) * weights, with
        // decay = min(ema, (1 + k) / (10 + k)) when ramped and ema otherwise.
        for (const bool ramp : {true, false}) {
            TrainOptions o = options(3);
            o.emaDecay = 0.9;
            o.emaRamp = ramp;
            Trainer trainer(tiny(), o, blobs(32), c10::Device(c10::kCPU));
            auto expected = trainer.ema().named_parameters()["head.weight"].clone();
            for (int k = 1; k <= 3; ++k) {
                trainer.step();
                const double decay = ramp ? std::min(0.9, (1.0 + k) / (10.0 + k)) : 0.9;
                expected = expected * decay + trainer.model().named_parameters()["head.weight"] * (1 - decay);
            }
            const auto ema = trainer.ema().named_parameters()["head.weight"];
            QVERIFY2(torch::allclose(ema, expected, 1e-5, 1e-7), ramp ? "ramped" : "constant");
        }
        // The choice is stored with the run; checkpoints written before it existed ramped.
        TrainOptions constant;
        constant.emaRamp = false;
        QVERIFY(!trainOptionsFromJson(toJson(constant), "run").emaRamp);
        auto older = toJson(constant);
        older.erase("ema_ramp");
        QVERIFY(trainOptionsFromJson(older, "older run").emaRamp);
        // A damaged value names the run and the option, not nlohmann's internals.
        auto damaged = toJson(constant);
        damaged["batch_size"] = "64";
        try {
            trainOptionsFromJson(damaged, "run/checkpoint.safetensors");
            QFAIL("accepted");
        } catch (const Error& e) {
            QCOMPARE(QString(e.what()), QString(R"(run/checkpoint.safetensors: training options: field "batch_size" )"
                                                R"(is the string "64", expected an integer)"));
        }
        damaged = toJson(constant);
        damaged["steps"] = 0;
        try {
            trainOptionsFromJson(damaged, "run/checkpoint.safetensors");
            QFAIL("accepted");
        } catch (const Error& e) {
            QCOMPARE(QString(e.what()), QString("run/checkpoint.safetensors: training option --steps must be at least 1"));
        }
    }

    void distillationTargetsTheTeacherAndIsStoredWithTheRun()
    {
        // A student that already predicts what its teacher predicts gets no
        // gradient from a pure distillation target; from the noise it does.
        // With the output layer zeroed every width predicts the same bias, so
        // a pair of widths {1, 0.5} then has exactly the gradient of the full
        // width alone (both draw the same batch, times and noise).
        NetConfig single = tiny();
        single.widths = {1.0};
        single.dropout = 0;
        NetConfig pair = single;
        pair.widths = {1.0, 0.5};
        const auto gradientNorm = [&](const NetConfig& config, double distill) {
            TrainOptions o = options(1);
            o.middleWidths = 0;
            o.distill = distill;
            Trainer trainer(config, o, blobs(32), c10::Device(c10::kCPU));
            {
                torch::NoGradGuard noGrad;
                trainer.model().named_parameters()["tail.2.weight"].zero_();
                trainer.ema().named_parameters()["tail.2.weight"].zero_();
            }
            const auto stats = trainer.step();
            return stats.losses.size() == config.widths.size() ? stats.gradNorm : -1.0;
        };
        const double alone = gradientNorm(single, 0);
        QVERIFY(alone > 0);
        const double distilled = gradientNorm(pair, 1);
        QVERIFY2(std::abs(distilled - alone) < 1e-6 * alone, qPrintable(QString("%1 vs %2").arg(distilled).arg(alone)));
        QVERIFY(std::abs(gradientNorm(pair, 0) - alone) > 1e-3 * alone);

        // The target mixes noise and teacher linearly; the option is stored with
        // the run, older runs had none, and values outside [0, 1] are refused.
        const auto noise = torch::full({2}, 1.0), teacher = torch::full({2}, 3.0);
        QVERIFY(torch::allclose(distillationTarget(noise, teacher, 0.25), torch::full({2}, 1.5)));
        TrainOptions stored;
        stored.distill = 0.5;
        QCOMPARE(trainOptionsFromJson(toJson(stored), "run").distill, 0.5);
        auto older = toJson(stored);
        older.erase("distill");
        QCOMPARE(trainOptionsFromJson(older, "older run").distill, 0.0);
        stored.distill = 1.5;
        QVERIFY_THROWS_EXCEPTION(Error, stored.validate());
    }

    void resumingEqualsAnUninterruptedRun()
    {
        QTemporaryDir dir;
        const std::string checkpoint = dir.filePath("c.safetensors").toStdString();
        const auto data = blobs(40);  // 40 / 16: epochs end mid-batch, so the batch order must resume exactly
        Trainer straight(tiny(), options(12), data, c10::Device(c10::kCPU));
        for (int i = 0; i < 12; ++i)
            straight.step();

        Trainer first(tiny(), options(12), data, c10::Device(c10::kCPU));
        for (int i = 0; i < 6; ++i)
            first.step();
        first.saveCheckpoint(checkpoint, {{"dataset", "blobs"}});
        Trainer resumed(tiny(), options(12), data, c10::Device(c10::kCPU));
        resumed.loadCheckpoint(checkpoint);
        QCOMPARE(resumed.completedSteps(), int64_t(6));
        for (int i = 0; i < 6; ++i)
            resumed.step();

        const auto a = straight.model().named_parameters();
        const auto b = resumed.model().named_parameters();
        const auto ea = straight.ema().named_parameters();
        const auto eb = resumed.ema().named_parameters();
        double maxDiff = 0;
        for (const auto& p : a) {
            maxDiff = std::max(maxDiff, (p.value() - b[p.key()]).abs().max().item<double>());
            maxDiff = std::max(maxDiff, (ea[p.key()] - eb[p.key()]).abs().max().item<double>());
        }
        QVERIFY2(maxDiff < 1e-6, qPrintable(QString("max difference %1").arg(maxDiff)));
        // And the run really moved the weights (the comparison is not vacuous).
        Trainer fresh(tiny(), options(12), data, c10::Device(c10::kCPU));
        QVERIFY((fresh.model().named_parameters()["head.weight"] - a["head.weight"]).abs().max().item<double>() > 1e-4);
    }

    // A compact checkpoint keeps weights, EMA and state exactly, its moments
    // rounded to bfloat16, and resumes to within that rounding of the run.
    void compactCheckpointResumesTheRun()
    {
        QTemporaryDir dir;
        const std::string full = dir.filePath("full.safetensors").toStdString();
        const std::string compact = dir.filePath("compact.safetensors").toStdString();
        const auto data = blobs(40);
        Trainer straight(tiny(), options(12), data, c10::Device(c10::kCPU));
        for (int i = 0; i < 6; ++i)
            straight.step();
        straight.saveCheckpoint(full, {{"dataset", "blobs"}});
        for (int i = 0; i < 6; ++i)
            straight.step();

        const CompactedCheckpoint made = compactCheckpoint(full, compact);
        QCOMPARE(made.step, int64_t(6));
        QCOMPARE(made.bytesAfter, int64_t(std::filesystem::file_size(compact)));
        const SafetensorsFile before = loadSafetensors(full), after = loadSafetensors(compact);
        QCOMPARE(after.tensors.size(), before.tensors.size());
        int64_t momentBytes = 0, moments = 0;
        for (size_t i = 0; i < before.tensors.size(); ++i) {
            const auto& [name, original] = before.tensors[i];
            const at::Tensor& stored = after.tensors[i].second;
            QCOMPARE(after.tensors[i].first, name);
            const bool moment = name.rfind("adam_", 0) == 0;
            QCOMPARE(stored.scalar_type(), moment ? torch::kBFloat16 : original.scalar_type());
            QVERIFY2(torch::equal(stored, moment ? original.to(torch::kBFloat16) : original), name.c_str());
            if (moment) {
                momentBytes += original.numel() * 2;
                ++moments;
            }
        }
        QCOMPARE(made.momentTensors, moments);
        // The moments' bytes are halved; each header entry may grow by a few characters ("BF16", offsets).
        QVERIFY(made.bytesAfter <= made.bytesBefore - momentBytes + 16 * int64_t(after.tensors.size()) + 64);
        for (const auto& [key, value] : before.metadata)
            QCOMPARE(after.metadata.at(key), value);
        QCOMPARE(after.metadata.at("adam_moments"), std::string("bf16"));
        // In place, on a compact file: the same bytes, both sizes the file's.
        const std::string compactBytes = readWholeFile(compact);
        const CompactedCheckpoint again = compactCheckpoint(compact, compact);
        QCOMPARE(again.bytesBefore, made.bytesAfter);
        QCOMPARE(again.bytesAfter, made.bytesAfter);
        QVERIFY(readWholeFile(compact) == compactBytes);

        Trainer resumed(tiny(), options(12), data, c10::Device(c10::kCPU));
        resumed.loadCheckpoint(compact);
        QCOMPARE(resumed.completedSteps(), int64_t(6));
        for (int i = 0; i < 6; ++i)
            resumed.step();
        const auto a = straight.model().named_parameters();
        const auto b = resumed.model().named_parameters();
        double maxDiff = 0;
        for (const auto& p : a)
            maxDiff = std::max(maxDiff, (p.value() - b[p.key()]).abs().max().item<double>());
        // Six Adam steps of lr 2e-3 move a weight by up to ~1.2e-2; rounded moments change that by ~0.4%.
        QVERIFY2(maxDiff < 1e-3, qPrintable(QString("max difference %1").arg(maxDiff)));

        // Anything but a training checkpoint is refused, naming the file.
        const std::string model = dir.filePath("model.safetensors").toStdString();
        saveSafetensors(model, {{"w", torch::zeros({2})}}, {{"format", "ddsm-slimmable-unet"}});
        try {
            compactCheckpoint(model, compact);
            QFAIL("a model file was compacted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(model + ": not a training checkpoint")), e.what());
        }
    }

    void corruptCheckpointIsRejectedAndLeavesStateAlone()
    {
        QTemporaryDir dir;
        const std::string checkpoint = dir.filePath("c.safetensors").toStdString();
        Trainer trainer(tiny(), options(4), blobs(32), c10::Device(c10::kCPU));
        trainer.step();
        trainer.saveCheckpoint(checkpoint, {});
        const std::string bytes = readWholeFile(checkpoint);
        writeFileAtomically(checkpoint, bytes.substr(0, bytes.size() - 1000));
        const auto before = trainer.model().named_parameters()["head.weight"].clone();
        try {
            trainer.loadCheckpoint(checkpoint);
            QFAIL("a truncated checkpoint was accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("c.safetensors"), e.what());
        }
        QCOMPARE(trainer.completedSteps(), int64_t(1));
        QVERIFY(torch::equal(before, trainer.model().named_parameters()["head.weight"]));

        // A checkpoint of another architecture is named as such.
        NetConfig other = tiny();
        other.baseChannels = 8;
        Trainer otherTrainer(other, options(4), blobs(32), c10::Device(c10::kCPU));
        otherTrainer.saveCheckpoint(checkpoint, {});
        try {
            trainer.loadCheckpoint(checkpoint);
            QFAIL("a checkpoint of another architecture was accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("different architecture"), e.what());
        }

        // A damaged batch-order state names the file and the field.
        trainer.saveCheckpoint(checkpoint, {});
        SafetensorsFile file = loadSafetensors(checkpoint);
        file.metadata["sampler"] = R"({"seed": 0, "epoch": "1", "position": 0})";
        saveSafetensors(checkpoint, file.tensors, file.metadata);
        try {
            trainer.loadCheckpoint(checkpoint);
            QFAIL("a damaged sampler state was accepted");
        } catch (const Error& e) {
            QCOMPARE(QString(e.what()),
                     QString::fromStdString(checkpoint + R"(: field "sampler.epoch" is the string "1", expected an integer)"));
        }
    }

    void runWritesLogSamplesCheckpointAndModel()
    {
        QTemporaryDir dir;
        Trainer trainer(tiny(), options(4), blobs(32), c10::Device(c10::kCPU));
        TrainingRunSettings settings;
        settings.outDir = dir.path().toStdString();
        settings.checkpointEvery = 2;
        settings.sampleEvery = 4;
        settings.sampleCount = 4;
        settings.sampleSteps = 3;
        settings.progressEvery = 1;
        int reports = 0;
        runTraining(trainer, settings, [&](const TrainingProgress&) { ++reports; }, nullptr);
        QCOMPARE(reports, 5);  // 4 steps + the final message
        namespace fs = std::filesystem;
        QVERIFY(fs::exists(settings.outDir + "/checkpoint.safetensors"));
        QVERIFY(fs::exists(settings.outDir + "/model.safetensors"));
        QVERIFY(fs::exists(settings.outDir + "/samples/step-0000004-w0.5.png"));
        const std::string csv = readWholeFile(settings.outDir + "/loss.csv");
        QCOMPARE(int(std::count(csv.begin(), csv.end(), '\n')), 5);  // header + 4 steps
        QVERIFY(csv.rfind("step,seconds,learning_rate,grad_norm,loss_w1,loss_w0.75,loss_w0.5", 0) == 0);
    }

    void cancellationCheckpointsAndStops()
    {
        QTemporaryDir dir;
        Trainer trainer(tiny(), options(100), blobs(32), c10::Device(c10::kCPU));
        TrainingRunSettings settings;
        settings.outDir = dir.path().toStdString();
        settings.sampleEvery = 0;
        settings.progressEvery = 1;
        std::atomic<bool> cancel{false};
        runTraining(trainer, settings, [&](const TrainingProgress& p) { if (p.step >= 3) cancel = true; }, &cancel);
        QCOMPARE(trainer.completedSteps(), int64_t(3));
        Trainer resumed(tiny(), options(100), blobs(32), c10::Device(c10::kCPU));
        resumed.loadCheckpoint(settings.outDir + "/checkpoint.safetensors");
        QCOMPARE(resumed.completedSteps(), int64_t(3));
    }

    void lossLogHoldsEveryStepOnceAcrossAResume()
    {
        QTemporaryDir dir;
        TrainingRunSettings settings;
        settings.outDir = dir.path().toStdString();
        settings.checkpointEvery = 2;
        settings.sampleEvery = 0;
        settings.progressEvery = 1;
        {
            Trainer trainer(tiny(), options(4), blobs(32), c10::Device(c10::kCPU));
            runTraining(trainer, settings, nullptr, nullptr);
        }
        // What a run killed after its checkpoint at step 4 leaves: rows of later
        // steps, the last one cut short.
        const std::string path = settings.outDir + "/loss.csv";
        std::string csv = readWholeFile(path);
        csv += "5,99,0.001,1,0.5,,,0.5\n6,100,0.001,1,0.5,,,0.5\n7,10";
        writeFileAtomically(path, csv);

        Trainer resumed(tiny(), options(6), blobs(32), c10::Device(c10::kCPU));
        resumed.loadCheckpoint(settings.outDir + "/checkpoint.safetensors");
        runTraining(resumed, settings, nullptr, nullptr);

        std::istringstream lines(readWholeFile(path));
        std::string line;
        std::getline(lines, line);
        QVERIFY(line.rfind("step,seconds,", 0) == 0);
        std::vector<long long> steps;
        double lastSeconds = 0;
        while (std::getline(lines, line)) {
            std::istringstream fields(line);
            long long step = 0;
            char comma = 0;
            double seconds = -1;
            QVERIFY2(bool(fields >> step >> comma >> seconds), line.c_str());
            QVERIFY2(seconds >= lastSeconds, line.c_str());  // training time goes on across the resume
            QVERIFY2(seconds < 99, line.c_str());            // the dropped rows' times are not inherited
            lastSeconds = seconds;
            steps.push_back(step);
        }
        QCOMPARE(steps, (std::vector<long long>{1, 2, 3, 4, 5, 6}));
    }
};

QTEST_APPLESS_MAIN(TestTraining)
#include "test_training.moc"
