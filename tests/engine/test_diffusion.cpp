// Diffusion maths against closed forms, and the samplers driven by the exact
// optimal denoiser of Gaussian data, which must reproduce the data's moments.
#include "base/sampler_tag.h"
#include "engine/diffusion.h"
#include "engine/sampler.h"

#include <torch/torch.h>

#include <QtTest>

#include <cmath>

using namespace ddsm;

namespace {

// Data x0 ~ N(mu, s^2) independently per pixel. Then x_t = sqrt(a) x0 + sqrt(1-a) e
// is Gaussian and the optimal epsilon is E[e | x_t] = sqrt(1-a) (x_t - sqrt(a) mu) / (a s^2 + 1 - a).
class GaussianOracle final : public Denoiser {
public:
    GaussianOracle(DiffusionConfig config, double mu, double s) : config_(config), diffusion_(config), mu_(mu), s_(s) {}

    at::Tensor predictEps(const at::Tensor& x, const at::Tensor& t, double width) override
    {
        widthsSeen.push_back(width);
        const double a = diffusion_.alphaBar(int(t[0].item<int64_t>()));
        return std::sqrt(1 - a) * (x - std::sqrt(a) * mu_) / (a * s_ * s_ + 1 - a);
    }
    std::vector<double> widths() const override { return {1.0, 0.5}; }
    int imageSize() const override { return 4; }
    int channels() const override { return 1; }
    const DiffusionConfig& diffusion() const override { return config_; }
    double macsPerImage(double) const override { return 0; }
    std::string name() const override { return "gaussian-oracle"; }
    c10::Device device() const override { return c10::Device(c10::kCPU); }

    std::vector<double> widthsSeen;

private:
    DiffusionConfig config_;
    GaussianDiffusion diffusion_;
    double mu_, s_;
};

std::vector<int> evenTimesteps(int T, int steps)
{
    std::vector<int> out;
    for (int i = steps - 1; i >= 0; --i)
        out.push_back(int(std::lround(i * (T - 1.0) / (steps - 1.0))));
    return out;
}

}  // namespace

class TestDiffusion final : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { torch::set_num_threads(1); }

    void linearBetasAndCumulativeProduct()
    {
        GaussianDiffusion d(DiffusionConfig{});
        QCOMPARE(d.T(), 1000);
        QVERIFY(std::abs(d.betas().front() - 1e-4) < 1e-15);
        QVERIFY(std::abs(d.betas().back() - 0.02) < 1e-15);
        QVERIFY(std::abs(d.betas()[500] - (1e-4 + (0.02 - 1e-4) * 500.0 / 999.0)) < 1e-15);
        double product = 1;
        for (int t = 0; t <= 10; ++t)
            product *= 1 - d.betas()[t];
        QVERIFY(std::abs(d.alphasCumprod()[10] - product) < 1e-15);
        // The DDPM schedule ends almost pure noise: abar_999 = 4.04e-5 (known value).
        QVERIFY(std::abs(d.alphasCumprod().back() - 4.0358e-5) < 1e-8);
    }

    void cosineScheduleMatchesItsDefinition()
    {
        DiffusionConfig c;
        c.betaSchedule = "cosine";
        GaussianDiffusion d(c);
        auto f = [](double u) { return std::pow(std::cos((u + 0.008) / 1.008 * M_PI / 2), 2); };
        for (int t : {0, 100, 500, 900})
            QVERIFY(std::abs(d.alphasCumprod()[t] - f((t + 1) / 1000.0) / f(0)) < 1e-9);
    }

    void qSampleHasTheClosedFormMoments()
    {
        GaussianDiffusion d(DiffusionConfig{});
        const int n = 200000;
        auto x0 = torch::full({n, 1}, 0.7);
        auto t = torch::full({n}, 300, torch::kLong);
        auto xt = d.qSample(x0, t, torch::randn({n, 1}));
        const double a = d.alphaBar(300);
        QVERIFY(std::abs(xt.mean().item<double>() - std::sqrt(a) * 0.7) < 0.01);
        QVERIFY(std::abs(xt.std().item<double>() - std::sqrt(1 - a)) < 0.01);
    }

    void posteriorOfOneStepIsTheDdpmPosterior()
    {
        GaussianDiffusion d(DiffusionConfig{});
        const int t = 400;
        const auto p = d.posterior(t, t - 1);
        const double beta = d.betas()[t], abar = d.alphaBar(t), abarPrev = d.alphaBar(t - 1);
        QVERIFY(std::abs(p.beta - beta) < 1e-12);
        QVERIFY(std::abs(p.coefX0 - beta * std::sqrt(abarPrev) / (1 - abar)) < 1e-12);
        QVERIFY(std::abs(p.coefXt - (1 - abarPrev) * std::sqrt(1 - beta) / (1 - abar)) < 1e-12);
        QVERIFY(std::abs(p.variance - beta * (1 - abarPrev) / (1 - abar)) < 1e-12);
        // The last jump lands on the data: x = x0 exactly, no variance.
        const auto last = d.posterior(0, -1);
        QVERIFY(std::abs(last.coefX0 - 1) < 1e-12 && std::abs(last.coefXt) < 1e-12 && last.variance < 1e-12);
    }

    void ddimWithEtaZeroIsDeterministic()
    {
        DiffusionConfig c;
        GaussianOracle oracle(c, 0.3, 0.2);
        GaussianDiffusion d(c);
        SamplerSettings s;
        s.steps = 20;
        s.seed = 5;
        SamplerRun run;
        run.timesteps = evenTimesteps(c.T, s.steps);
        run.stepWidths.assign(s.steps, 1.0);
        run.x = initialNoise(5, 0, 4, 1, 4);
        auto a = runSampler(oracle, d, s, run).images;
        s.seed = 6;  // step noise would differ, but eta = 0 draws none
        auto b = runSampler(oracle, d, s, run).images;
        QVERIFY(torch::equal(a, b));
    }

    void samplersReproduceGaussianData_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<double>("eta");
        QTest::addColumn<QString>("variance");
        QTest::addColumn<int>("steps");
        QTest::newRow("ddim eta 0, 100 steps") << "ddim" << 0.0 << "fixedlarge" << 100;
        QTest::newRow("ddim eta 1, 1000 steps") << "ddim" << 1.0 << "fixedlarge" << 1000;
        QTest::newRow("ddpm fixedsmall, 1000 steps") << "ddpm" << 0.0 << "fixedsmall" << 1000;
        QTest::newRow("ddpm fixedlarge, 1000 steps") << "ddpm" << 0.0 << "fixedlarge" << 1000;
        // Coarse ancestral steps are known to under-disperse even with the
        // optimal network (the true reverse step has extra variance from the
        // uncertainty of x0; Bao et al. 2022), so stochastic rows use T steps.
    }
    void samplersReproduceGaussianData()
    {
        QFETCH(QString, kind);
        QFETCH(double, eta);
        QFETCH(QString, variance);
        QFETCH(int, steps);
        const double mu = 0.3, sd = 0.2;
        DiffusionConfig c;
        GaussianOracle oracle(c, mu, sd);
        GaussianDiffusion d(c);
        SamplerSettings s;
        s.kind = kind.toStdString();
        s.eta = eta;
        s.variance = variance.toStdString();
        s.steps = steps;
        s.clipX0 = false;
        s.seed = 11;
        const int images = 500;  // x 16 pixels = 8000 independent draws
        SamplerRun run;
        run.timesteps = evenTimesteps(c.T, steps);
        run.stepWidths.assign(steps, 1.0);
        run.x = initialNoise(s.seed, 0, images, 1, 4);
        auto out = runSampler(oracle, d, s, run).images;
        const double mean = out.mean().item<double>(), std = out.std().item<double>();
        // n = 8000: the mean's standard error is 0.0022 and the std's 0.8%;
        // tolerances of about 5 standard errors, plus room for discretisation.
        QVERIFY2(std::abs(mean - mu) < 0.012, qPrintable(QString("mean %1").arg(mean)));
        QVERIFY2(std::abs(std / sd - 1) < 0.05, qPrintable(QString("std %1").arg(std)));
    }

    void runnerUsesTheWidthOfEachStepAndReportsIt()
    {
        DiffusionConfig c;
        GaussianOracle oracle(c, 0, 1);
        GaussianDiffusion d(c);
        SamplerSettings s;
        s.steps = 4;
        SamplerRun run;
        run.timesteps = {999, 666, 333, 0};
        run.stepWidths = {0.5, 0.5, 1.0, 1.0};
        run.x = initialNoise(0, 0, 2, 1, 4);
        std::vector<int> seen;
        run.onStep = [&](const SamplerStep& step) {
            seen.push_back(step.timestep);
            QCOMPARE(step.x.sizes().vec(), std::vector<int64_t>({2, 1, 4, 4}));
        };
        runSampler(oracle, d, s, run);
        QCOMPARE(seen, run.timesteps);
        QCOMPARE(oracle.widthsSeen, run.stepWidths);
    }

    void cancellationStopsBeforeTheNextNetworkCall()
    {
        DiffusionConfig c;
        GaussianOracle oracle(c, 0, 1);
        GaussianDiffusion d(c);
        SamplerSettings s;
        s.steps = 10;
        std::atomic<bool> cancel{false};
        SamplerRun run;
        run.timesteps = evenTimesteps(c.T, 10);
        run.stepWidths.assign(10, 1.0);
        run.x = initialNoise(0, 0, 1, 1, 4);
        run.cancel = &cancel;
        run.onStep = [&](const SamplerStep& step) {
            if (step.step == 2)
                cancel = true;
        };
        const auto result = runSampler(oracle, d, s, run);
        QVERIFY(result.cancelled);
        QCOMPARE(result.stepsRun, 3);
        QCOMPARE(int(oracle.widthsSeen.size()), 3);
    }

    void resumingFromAPrefixStateIsBitIdentical()
    {
        DiffusionConfig c;
        GaussianOracle oracle(c, 0.1, 0.5);
        GaussianDiffusion d(c);
        SamplerSettings s;
        s.kind = "ddpm";
        s.steps = 10;
        s.seed = 9;
        SamplerRun run;
        run.timesteps = evenTimesteps(c.T, 10);
        run.stepWidths.assign(10, 1.0);
        run.x = initialNoise(9, 0, 3, 1, 4);
        at::Tensor atFour;
        run.onStep = [&](const SamplerStep& step) {
            if (step.step == 3)
                atFour = step.x.clone();
        };
        auto whole = runSampler(oracle, d, s, run).images;
        SamplerRun rest = run;
        rest.onStep = nullptr;
        rest.x = atFour;
        rest.firstStep = 4;
        QVERIFY(torch::equal(whole, runSampler(oracle, d, s, rest).images));
    }

    void noiseOfAnImageDoesNotDependOnBatch()
    {
        auto batch = initialNoise(42, 0, 8, 1, 4);
        auto single = initialNoise(42, 5, 1, 1, 4);
        QVERIFY(torch::equal(batch[5], single[0]));
        QVERIFY(!torch::equal(initialNoise(43, 5, 1, 1, 4), single));
        QVERIFY(!torch::equal(stepNoise(42, 5, 1, 1, 4, 0), single));
    }

    void badSettingsAreRejected()
    {
        SamplerSettings s;
        s.steps = 0;
        QVERIFY_THROWS_EXCEPTION(std::exception, s.validate(1000));
        s.steps = 10;
        s.kind = "euler";
        QVERIFY_THROWS_EXCEPTION(std::exception, s.validate(1000));
        s.kind = "ddim";
        s.eta = -1;
        QVERIFY_THROWS_EXCEPTION(std::exception, s.validate(1000));
    }

    // Sidecar files are named by sampler: everything that changes the
    // images except the seed is in the tag.
    void samplerTagsNameEverythingButTheSeed()
    {
        SamplerSettings s;
        QCOMPARE(s.tag(), std::string("ddim50"));
        s.seed = 7;
        QCOMPARE(s.tag(), std::string("ddim50"));
        s.eta = 0.5;
        QCOMPARE(s.tag(), std::string("ddim50-eta0.5"));
        s.kind = "ddpm";
        s.steps = 100;
        QCOMPARE(s.tag(), std::string("ddpm100"));  // eta is DDIM's
        s.variance = "fixedsmall";
        s.clipX0 = false;
        QCOMPARE(s.tag(), std::string("ddpm100-fixedsmall-noclip"));
    }

    // A tag read back names the settings that wrote it; text no tag can be is refused.
    void samplerTagsReadBackToTheirSettings()
    {
        for (const std::string kind : {"ddim", "ddpm"})
            for (int steps : {1, 50, 1000})
                for (double eta : {0.0, 0.25, 1.0})
                    for (const std::string variance : {"fixedlarge", "fixedsmall"})
                        for (bool clip : {true, false}) {
                            const std::string tag = samplerTag(kind, steps, eta, variance, clip);
                            const auto parts = parseSamplerTag(tag);
                            QVERIFY2(parts, tag.c_str());
                            QCOMPARE(samplerTag(parts->kind, parts->steps, parts->eta, parts->variance,
                                                parts->clipX0), tag);
                            QCOMPARE(parts->kind, kind);
                            QCOMPARE(parts->steps, steps);
                            QCOMPARE(parts->clipX0, clip);
                            QCOMPARE(parts->eta, kind == "ddim" ? eta : 0.0);  // eta is DDIM's
                            QCOMPARE(parts->variance, kind == "ddpm" ? variance : std::string("fixedlarge"));
                        }
        for (const char* bad : {"", "ddim", "plms50", "ddim50-eta0", "ddim050", "ddpm100-fixedlarge", "ddpm100-eta0.5",
                                "ddim50-noclip-eta0.5", "ddim50-etax", "ddim9999999", "DDIM50"})
            QVERIFY2(!parseSamplerTag(bad), bad);
    }
};

QTEST_APPLESS_MAIN(TestDiffusion)
#include "test_diffusion.moc"
