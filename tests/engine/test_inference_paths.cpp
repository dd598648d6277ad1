// The inference-only paths against the composite torch ops they replace:
// attention image by image (attention_core.h) against a double-precision
// reference, and the per-thread batch split (batch_split.h) by what it hands
// each call.
#include "engine/attention_core.h"
#include "engine/batch_split.h"
#include "engine/fused_group_norm.h"
#include "engine/narrow_output_conv.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <QtTest>

#include <algorithm>
#include <mutex>
#include <vector>

using namespace ddsm;

class TestInferencePaths final : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { torch::set_num_threads(2); }

    void attentionMatchesDoublePrecision()
    {
        torch::NoGradGuard noGrad;
        struct Case {
            int64_t b, c, n;
            double spread;  // logits' size: large values test the softmax's max shift
        };
        // 256 pixels run one image a group, 49 and 16 whole batches (49 leaves a vector tail).
        for (const Case k : {Case{3, 64, 256, 1.0}, Case{2, 16, 49, 1.0}, Case{4, 8, 49, 30.0}, Case{2, 32, 16, 1.0}}) {
            auto g = at::detail::createCPUGenerator(uint64_t(k.n * 100 + k.c));
            const auto q = torch::randn({k.b, k.c, k.n}, g) * k.spread, kk = torch::randn({k.b, k.c, k.n}, g),
                       v = torch::randn({k.b, k.c, k.n}, g);
            const double scale = 1.0 / std::sqrt(double(k.c));
            const auto want = attentionCoreReference(q.to(torch::kDouble), kk.to(torch::kDouble),
                                                     v.to(torch::kDouble), scale);
            const auto got = attentionCore(q, kk, v, scale);
            QCOMPARE(got.sizes().vec(), want.sizes().vec());
            const double err = (got - want).abs().max().item<double>();
            QVERIFY2(err <= 1e-5 * std::max(1.0, want.abs().max().item<double>()),
                     qPrintable(QString("b %1 c %2 n %3: max error %4").arg(k.b).arg(k.c).arg(k.n).arg(err)));
        }
    }

    void pixelMajorAttentionMatchesDoublePrecision()
    {
        torch::NoGradGuard noGrad;
        for (const int64_t n : {256, 49, 16}) {  // one image a group, with a vector tail, whole batch
            auto g = at::detail::createCPUGenerator(uint64_t(n));
            const auto q = torch::randn({3, n, 24}, g) * 3, k = torch::randn({3, n, 24}, g),
                       v = torch::randn({3, n, 24}, g);
            const auto want = attentionCorePixelMajorReference(q.to(torch::kDouble), k.to(torch::kDouble),
                                                               v.to(torch::kDouble), 0.2);
            // The channel-major reference on transposed operands is the same attention.
            const auto channelMajor = attentionCoreReference(q.transpose(1, 2).to(torch::kDouble),
                                                             k.transpose(1, 2).to(torch::kDouble),
                                                             v.transpose(1, 2).to(torch::kDouble), 0.2);
            QVERIFY((want - channelMajor.transpose(1, 2)).abs().max().item<double>() < 1e-12);
            const auto got = attentionCorePixelMajor(q, k, v, 0.2);
            const double err = (got - want).abs().max().item<double>();
            QVERIFY2(err <= 1e-5 * std::max(1.0, want.abs().max().item<double>()),
                     qPrintable(QString("n %1: max error %2").arg(n).arg(err)));
        }
    }

    void attentionSwitchedOffRunsTheCompositeOps()
    {
        torch::NoGradGuard noGrad;
        const auto q = torch::randn({2, 8, 64}), k = torch::randn({2, 8, 64}), v = torch::randn({2, 8, 64});
        setFusedAttentionEnabled(false);
        const auto off = attentionCore(q, k, v, 0.3);
        setFusedAttentionEnabled(true);
        QVERIFY(torch::equal(off, attentionCoreReference(q, k, v, 0.3)));
        // The fused path really differs in rounding, so the comparison above can fail.
        QVERIFY(!torch::equal(attentionCore(q, k, v, 0.3), off));
    }

    void attentionKeepsGradientsInTraining()
    {
        const auto q = torch::randn({2, 4, 64}, torch::requires_grad());
        const auto k = torch::randn({2, 4, 64}), v = torch::randn({2, 4, 64}, torch::requires_grad());
        attentionCore(q, k, v, 0.5).pow(2).sum().backward();
        QVERIFY(q.grad().defined() && v.grad().defined());
        QVERIFY(q.grad().abs().sum().item<double>() > 0);
    }

    // One image on two threads: the channels-last norm splits the image's
    // pixels between the threads, each starting mid-way through the channels.
    void channelsLastNormSplitsOneImage()
    {
        torch::NoGradGuard noGrad;
        for (const int64_t c : {6, 24}) {
            const auto x = torch::randn({1, c, 5, 7}).contiguous(at::MemoryFormat::ChannelsLast);
            const auto w = torch::randn({c}), b = torch::randn({c}), offset = torch::randn({1, c});
            const auto want = groupNormSiLUReference(x.to(torch::kDouble), 3, w.to(torch::kDouble),
                                                     b.to(torch::kDouble), 1e-5, offset.to(torch::kDouble));
            const auto got = groupNormSiLU(x, 3, w, b, 1e-5, offset);
            QVERIFY(got.is_contiguous(at::MemoryFormat::ChannelsLast));
            QVERIFY((got - want).abs().max().item<double>() <= 2e-5 * std::max(1.0, want.abs().max().item<double>()));
        }
    }

    void narrowOutputConvolutionMatchesTorch()
    {
        torch::NoGradGuard noGrad;
        struct Case {
            int64_t c, o, h, w;
        };
        for (const Case k : {Case{16, 1, 28, 28}, Case{5, 1, 3, 7}, Case{64, 3, 8, 8}}) {
            auto g = at::detail::createCPUGenerator(uint64_t(k.c * 10 + k.o));
            const auto x = torch::randn({3, k.c, k.h, k.w}, g).contiguous(at::MemoryFormat::ChannelsLast);
            const auto w = torch::randn({k.o, k.c, 3, 3}, g), b = torch::randn({k.o}, g);
            const auto got = narrowOutputConv3x3(x, w, b);
            QVERIFY(got.defined());
            const auto want = torch::conv2d(x.to(torch::kDouble), w.to(torch::kDouble), b.to(torch::kDouble), 1, 1);
            QCOMPARE(got.sizes().vec(), want.sizes().vec());
            const double err = (got - want).abs().max().item<double>();
            QVERIFY2(err <= 1e-5 * std::max(1.0, want.abs().max().item<double>()),
                     qPrintable(QString("c %1 o %2: max error %3").arg(k.c).arg(k.o).arg(err)));
        }
        // Where it does not apply it says so: NCHW input, or three outputs from few channels.
        const auto w = torch::randn({1, 8, 3, 3}), b = torch::randn({1});
        QVERIFY(!narrowOutputConv3x3(torch::randn({2, 8, 5, 5}), w, b).defined());
        QVERIFY(!narrowOutputConv3x3(torch::randn({2, 8, 5, 5}).contiguous(at::MemoryFormat::ChannelsLast),
                                     torch::randn({3, 8, 3, 3}), torch::randn({3}))
                     .defined());
    }

    void batchIsSplitOneShareAThread()
    {
        torch::NoGradGuard noGrad;
        const auto x = torch::arange(7 * 3, torch::kFloat).view({7, 3, 1, 1});
        const auto t = torch::arange(7, torch::kLong);
        std::mutex mutex;
        std::vector<int64_t> sizes;
        bool gradients = false;
        const auto y = forwardSplitOverBatch(x, t, [&](const at::Tensor& xs, const at::Tensor& ts) {
            {
                std::lock_guard<std::mutex> lock(mutex);
                sizes.push_back(xs.size(0));
                gradients = gradients || c10::GradMode::is_enabled();
            }
            return xs * 2 + ts.view({-1, 1, 1, 1}).to(torch::kFloat);
        });
        std::sort(sizes.begin(), sizes.end());
        QCOMPARE(sizes, (std::vector<int64_t>{3, 4}));
        QVERIFY(!gradients);  // the pool's threads run without autograd too
        QVERIFY(torch::equal(y, x * 2 + t.view({-1, 1, 1, 1}).to(torch::kFloat)));  // rows back in order
    }

    void batchRunsInOnePieceWhereSplittingDoesNotApply()
    {
        const auto count = [](const at::Tensor& x) {
            int calls = 0;
            forwardSplitOverBatch(x, torch::zeros({x.size(0)}, torch::kLong), [&](const at::Tensor& xs, const at::Tensor&) {
                ++calls;
                return xs.clone();
            });
            return calls;
        };
        const auto batch = torch::zeros({8, 1, 1, 1});
        {
            torch::NoGradGuard noGrad;
            QCOMPARE(count(torch::zeros({3, 1, 1, 1})), 1);  // under two images a thread
            setBatchSplitEnabled(false);
            QCOMPARE(count(batch), 1);
            setBatchSplitEnabled(true);
            QCOMPARE(count(batch), 2);
            std::vector<int> inside(2);  // already on the pool's threads: one piece each
            at::parallel_for(0, 2, 1, [&](int64_t begin, int64_t) { inside[begin] = count(batch); });
            QCOMPARE(inside, (std::vector<int>{1, 1}));
        }
        QCOMPARE(count(batch), 1);  // training: autograd needs the whole batch
    }
};

QTEST_APPLESS_MAIN(TestInferencePaths)
#include "test_inference_paths.moc"
