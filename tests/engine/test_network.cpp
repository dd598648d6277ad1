// The slimmable UNet against independent truth: a plain reference forward pass
// over explicitly copied prefix weights, hand-counted MACs, and the per-op
// record of a real forward pass.
#include "engine/flops.h"
#include "engine/fused_group_norm.h"
#include "engine/inference_layout.h"
#include "engine/slicing_rules.h"
#include "engine/slimmable_unet.h"
#include "perturbed_weights.h"
#include "tiny_net.h"

#include <torch/torch.h>

#include <QtTest>

#include <map>

using namespace ddsm;

namespace {

NetConfig tinyConfig()
{
    NetConfig c = test::tinyNet();
    c.baseChannels = 8;
    c.diffusion.T = 100;
    return c;
}

NetConfig smallConfig()
{
    NetConfig c;
    c.imageSize = 16;
    c.channels = 3;
    c.baseChannels = 32;
    c.channelMult = {1, 2, 2};
    c.numResBlocks = 2;
    c.attentionLevels = {1};
    c.dropout = 0.1;
    c.normGroups = 8;
    c.widths = {1.0, 0.75, 0.5, 0.25};
    c.diffusion.T = 1000;
    return c;
}

// A reference UNet forward written directly from the DDPM architecture with
// unsliced ops: every weight is first copied out as the prefix the width asks
// for, so no slicing logic of the engine is involved.
class ReferenceUNet {
public:
    ReferenceUNet(const NetConfig& c, SlimmableUNet& net, double w) : c_(c), w_(w)
    {
        for (const auto& p : net.named_parameters())
            full_[p.key()] = p.value().detach();
    }

    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t)
    {
        const int64_t tdim = slicedChannels(c_.timeEmbeddingDim(), w_, c_.linearDivisor);
        auto temb = sinusoidalTimeTable(c_.diffusion.T, c_.baseChannels).index_select(0, t);
        temb = linear(temb, "time_embedding.timembedding.1", tdim);
        temb = linear(swish(temb), "time_embedding.timembedding.3", tdim);
        auto h = conv(x, "head", out(c_.baseChannels), 1, 1);
        std::vector<torch::Tensor> skips{h};
        int index = 0;
        int64_t nowFull = c_.baseChannels;
        for (size_t level = 0; level < c_.channelMult.size(); ++level) {
            const int64_t outFull = c_.baseChannels * c_.channelMult[level];
            for (int i = 0; i < c_.numResBlocks; ++i) {
                h = resBlock(h, temb, "downblocks." + std::to_string(index++), out(outFull), nowFull != outFull,
                             attention(level));
                nowFull = outFull;
                skips.push_back(h);
            }
            if (level + 1 < c_.channelMult.size()) {
                h = conv(h, "downblocks." + std::to_string(index++) + ".main", out(nowFull), 2, 1);
                skips.push_back(h);
            }
        }
        h = resBlock(h, temb, "middleblocks.0", out(nowFull), false, true);
        h = resBlock(h, temb, "middleblocks.1", out(nowFull), false, false);
        index = 0;
        for (size_t level = c_.channelMult.size(); level-- > 0;) {
            const int64_t outFull = c_.baseChannels * c_.channelMult[level];
            for (int i = 0; i <= c_.numResBlocks; ++i) {
                auto in = torch::cat({h, skips.back()}, 1);
                skips.pop_back();
                h = resBlock(in, temb, "upblocks." + std::to_string(index++), out(outFull), true, attention(level));
            }
            if (level != 0) {
                h = torch::upsample_nearest2d(h, {h.size(2) * 2, h.size(3) * 2});
                h = conv(h, "upblocks." + std::to_string(index++) + ".main", out(outFull), 1, 1);
            }
        }
        h = swish(norm(h, "tail.0"));
        return conv(h, "tail.2", c_.channels, 1, 1);
    }

private:
    static torch::Tensor swish(const torch::Tensor& x) { return x * torch::sigmoid(x); }
    int64_t out(int64_t full) const { return slicedChannels(int(full), w_, c_.divisor); }
    bool attention(size_t level) const
    {
        return std::count(c_.attentionLevels.begin(), c_.attentionLevels.end(), int(level)) > 0;
    }
    torch::Tensor prefix(const std::string& name, int64_t rows, int64_t cols = -1)
    {
        auto p = full_.at(name).slice(0, 0, rows);
        if (cols >= 0)
            p = p.slice(1, 0, cols);
        return p.clone();  // an independent, contiguous copy
    }
    torch::Tensor conv(const torch::Tensor& x, const std::string& name, int64_t outCh, int stride, int pad)
    {
        return torch::conv2d(x, prefix(name + ".weight", outCh, x.size(1)), prefix(name + ".bias", outCh), stride, pad);
    }
    torch::Tensor linear(const torch::Tensor& x, const std::string& name, int64_t outF)
    {
        return torch::linear(x, prefix(name + ".weight", outF, x.size(1)), prefix(name + ".bias", outF));
    }
    torch::Tensor norm(const torch::Tensor& x, const std::string& name)
    {
        const int64_t c = x.size(1);
        return torch::group_norm(x, std::gcd(int64_t(c_.normGroups), c), prefix(name + ".weight", c),
                                 prefix(name + ".bias", c), 1e-5);
    }
    torch::Tensor resBlock(const torch::Tensor& x, const torch::Tensor& temb, const std::string& n, int64_t outCh,
                           bool shortcut, bool attn)
    {
        auto h = conv(swish(norm(x, n + ".block1.0")), n + ".block1.2", outCh, 1, 1);
        h = h + linear(swish(temb), n + ".temb_proj.1", outCh).unsqueeze(-1).unsqueeze(-1);
        h = conv(swish(norm(h, n + ".block2.0")), n + ".block2.3", outCh, 1, 1);
        h = h + (shortcut ? conv(x, n + ".shortcut", outCh, 1, 0) : x);
        if (!attn)
            return h;
        const int64_t B = h.size(0), C = h.size(1), H = h.size(2), W = h.size(3);
        auto a = norm(h, n + ".attn.group_norm");
        auto q = conv(a, n + ".attn.proj_q", C, 1, 0).flatten(2).transpose(1, 2);
        auto k = conv(a, n + ".attn.proj_k", C, 1, 0).flatten(2);
        auto v = conv(a, n + ".attn.proj_v", C, 1, 0).flatten(2).transpose(1, 2);
        auto weights = torch::softmax(torch::bmm(q, k) / std::sqrt(double(C)), -1);
        auto o = torch::bmm(weights, v).transpose(1, 2).reshape({B, C, H, W});
        return h + conv(o, n + ".attn.proj", C, 1, 0);
    }

    NetConfig c_;
    double w_;
    std::map<std::string, torch::Tensor> full_;
};


// The small network with every parameter perturbed, in eval mode.
std::shared_ptr<SlimmableUNet> perturbedSmallNet(uint64_t seed)
{
    auto net = std::make_shared<SlimmableUNet>(smallConfig());
    test::perturbWeights(*net, seed);
    net->eval();
    return net;
}

// Empty when ours is within 1e-5 (relative to the output's size) of the
// reference network's output, else what differs.
QString referenceMismatch(const torch::Tensor& ours, const torch::Tensor& reference)
{
    const double err = (ours - reference).abs().max().item<double>();
    const double scale = reference.abs().max().item<double>();
    return err <= 1e-5 * std::max(1.0, scale) ? QString() : QString("max error %1 (scale %2)").arg(err).arg(scale);
}

}  // namespace

class TestNetwork final : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { torch::set_num_threads(1); }

    void makeDivisibleFollowsMobileNetRounding_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<int>("divisor");
        QTest::addColumn<int>("expected");
        QTest::newRow("exact") << 96.0 << 8 << 96;
        QTest::newRow("round half up") << 100.0 << 8 << 104;
        QTest::newRow("round down") << 99.0 << 8 << 96;
        QTest::newRow("10% rule bumps") << 12.0 << 16 << 16;  // 12+8=20 -> 16
        QTest::newRow("tiny bumps past min") << 3.0 << 8 << 9;  // max(1, 0) = 1 < 2.7, so 1 + 8 (as the paper's code)
        QTest::newRow("linear 16") << 384.0 << 16 << 384;
        QTest::newRow("linear 16 rounding") << 72.0 << 16 << 80;  // int(80)//16*16 = 80
    }
    void fusedGroupNormSiLUMatchesTheCompositeOps()
    {
        torch::NoGradGuard noGrad;
        torch::manual_seed(3);
        // Shapes with odd spatial sizes, one and several groups, and values far
        // from zero (the statistics, and the exponential's clamped range).
        struct Case {
            int64_t n, c, h, w, groups;
            double shift, scale;
        };
        for (const Case k : {Case{2, 8, 5, 7, 4, 0.0, 1.0}, Case{3, 24, 14, 14, 8, 3.0, 0.5},
                             Case{1, 6, 3, 3, 1, -2.0, 40.0}, Case{4, 16, 1, 1, 16, 0.0, 1.0},
                             Case{2, 48, 7, 7, 8, 1.0, 2.0}}) {
            const auto x = torch::randn({k.n, k.c, k.h, k.w}) * k.scale + k.shift;
            const auto full = torch::randn({2 * k.c}) * 2;  // a sliced weight: a prefix of a longer one
            const auto weight = full.slice(0, 0, k.c), bias = torch::randn({k.c});
            const auto offset = torch::randn({k.n, k.c}) * 3;
            for (const auto& add : {torch::Tensor(), offset}) {
                // Truth in double precision: the float composite itself loses up
                // to 1e-4 where a group's variance is near 0 (x * scale - mean * scale).
                const auto want = groupNormSiLUReference(x.to(torch::kDouble), k.groups, weight.to(torch::kDouble),
                                                         bias.to(torch::kDouble), 1e-5,
                                                         add.defined() ? add.to(torch::kDouble) : add);
                const auto got = groupNormSiLU(x, k.groups, weight, bias, 1e-5, add);
                const double err = (got - want).abs().max().item<double>();
                const double size = want.abs().max().item<double>();
                QVERIFY2(err <= 2e-5 * std::max(1.0, size),
                         qPrintable(QString("c %1 groups %2 offset %3: max error %4").arg(k.c).arg(k.groups)
                                        .arg(add.defined()).arg(err)));
            }
            // Without the SiLU, against torch's group_norm.
            const auto plain = groupNormFused(x, k.groups, weight, bias, 1e-5);
            const auto want = torch::group_norm(x.to(torch::kDouble), k.groups, weight.to(torch::kDouble),
                                                bias.to(torch::kDouble), 1e-5);
            QVERIFY((plain - want).abs().max().item<double>() <= 2e-5 * std::max(1.0, want.abs().max().item<double>()));
            // Channels-last input takes its own kernel and keeps its layout.
            const auto last = x.contiguous(at::MemoryFormat::ChannelsLast);
            for (const auto& add : {torch::Tensor(), offset}) {
                const auto truth = groupNormSiLUReference(x.to(torch::kDouble), k.groups, weight.to(torch::kDouble),
                                                          bias.to(torch::kDouble), 1e-5,
                                                          add.defined() ? add.to(torch::kDouble) : add);
                const auto got = groupNormSiLU(last, k.groups, weight, bias, 1e-5, add);
                QVERIFY(got.is_contiguous(at::MemoryFormat::ChannelsLast));
                const double err = (got - truth).abs().max().item<double>();
                QVERIFY2(err <= 2e-5 * std::max(1.0, truth.abs().max().item<double>()),
                         qPrintable(QString("channels-last, c %1 groups %2 offset %3: max error %4")
                                        .arg(k.c).arg(k.groups).arg(add.defined()).arg(err)));
            }
            QVERIFY((groupNormFused(last, k.groups, weight, bias, 1e-5) - want).abs().max().item<double>() <=
                    2e-5 * std::max(1.0, want.abs().max().item<double>()));
        }
        // Switched off, the composite ops run and agree exactly.
        {
            const auto x = torch::randn({2, 8, 4, 4}), w = torch::randn({8}), b = torch::randn({8});
            setFusedGroupNormEnabled(false);
            const auto off = groupNormSiLU(x, 2, w, b, 1e-5);
            setFusedGroupNormEnabled(true);
            QVERIFY(torch::equal(off, groupNormSiLUReference(x, 2, w, b, 1e-5)));
        }
        // Other layouts take the composite path and agree exactly.
        const auto x = torch::randn({2, 8, 4, 4}).transpose(2, 3);
        const auto w = torch::randn({8}), b = torch::randn({8});
        QVERIFY(torch::equal(groupNormSiLU(x, 2, w, b, 1e-5), groupNormSiLUReference(x, 2, w, b, 1e-5)));
    }

    void fusedGroupNormSiLUKeepsGradientsInTraining()
    {
        const auto x = torch::randn({2, 4, 3, 3}, torch::requires_grad());
        const auto w = torch::randn({4}, torch::requires_grad()), b = torch::randn({4});
        groupNormSiLU(x, 2, w, b, 1e-5).sum().backward();
        QVERIFY(x.grad().defined() && w.grad().defined());
        QVERIFY(x.grad().abs().sum().item<double>() > 0);
    }

    void makeDivisibleFollowsMobileNetRounding()
    {
        QFETCH(double, value);
        QFETCH(int, divisor);
        QFETCH(int, expected);
        QCOMPARE(makeDivisible(value, divisor), expected);
    }

    void everyWidthMatchesReferenceForward_data()
    {
        QTest::addColumn<double>("width");
        for (double w : {1.0, 0.75, 0.5, 0.25})
            QTest::newRow(QByteArray::number(w)) << w;
    }
    void everyWidthMatchesReferenceForward()
    {
        QFETCH(double, width);
        const NetConfig c = smallConfig();
        auto net = perturbedSmallNet(7);
        torch::NoGradGuard noGrad;
        auto g = at::detail::createCPUGenerator(3);
        auto x = torch::randn({2, c.channels, c.imageSize, c.imageSize}, g);
        auto t = torch::tensor({999, 17}, torch::kLong);
        auto ours = net->forward(x, t, width);
        auto reference = ReferenceUNet(c, *net, width).forward(x, t);
        QCOMPARE(ours.sizes().vec(), reference.sizes().vec());
        const QString mismatch = referenceMismatch(ours, reference);
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
        // Widths really differ (a test of the test: slicing changes the output).
        if (width < 1.0)
            QVERIFY((ours - net->forward(x, t, 1.0)).abs().max().item<double>() > 1e-3);
    }

    // Two threads: the batch runs as one share per thread (batch_split.h),
    // attention in groups of images inside each share, and both threads read
    // the slice cache at once.
    void splitBatchMatchesReferenceForward()
    {
        const NetConfig c = smallConfig();
        auto net = perturbedSmallNet(11);
        torch::NoGradGuard noGrad;
        auto g = at::detail::createCPUGenerator(5);
        auto x = torch::randn({6, c.channels, c.imageSize, c.imageSize}, g);
        auto t = torch::tensor({999, 17, 500, 0, 250, 750}, torch::kLong);
        for (double width : {1.0, 0.5}) {
            torch::set_num_threads(2);
            auto ours = net->forward(x, t, width);
            torch::set_num_threads(1);
            const QString mismatch = referenceMismatch(ours, ReferenceUNet(c, *net, width).forward(x, t));
            QVERIFY2(mismatch.isEmpty(), qPrintable(QString("width %1: %2").arg(width).arg(mismatch)));
        }
    }

    // Inference runs channels-last (inference_layout.h); off, NCHW: both match
    // the reference, and their difference shows the switch takes effect.
    void channelsLastAndNchwInferenceAgree()
    {
        const NetConfig c = smallConfig();
        auto net = perturbedSmallNet(13);
        torch::NoGradGuard noGrad;
        auto x = torch::randn({2, c.channels, c.imageSize, c.imageSize});
        auto t = torch::tensor({900, 40}, torch::kLong);
        const auto last = net->forward(x, t, 0.5);
        setChannelsLastEnabled(false);
        const auto nchw = net->forward(x, t, 0.5);
        setChannelsLastEnabled(true);
        QVERIFY(last.is_contiguous() && nchw.is_contiguous());  // NCHW out either way
        const auto reference = ReferenceUNet(c, *net, 0.5).forward(x, t);
        QVERIFY2(referenceMismatch(last, reference).isEmpty(), qPrintable(referenceMismatch(last, reference)));
        QVERIFY2(referenceMismatch(nchw, reference).isEmpty(), qPrintable(referenceMismatch(nchw, reference)));
        QVERIFY(!torch::equal(last, nchw));
    }

    void cachedSlicesFollowInPlaceUpdates()
    {
        const NetConfig c = smallConfig();
        auto net = std::make_shared<SlimmableUNet>(c);
        test::perturbWeights(*net, 1);
        net->eval();
        torch::NoGradGuard noGrad;
        auto x = torch::randn({1, c.channels, c.imageSize, c.imageSize});
        auto t = torch::tensor({500}, torch::kLong);
        auto before = net->forward(x, t, 0.5);  // fills the width-0.5 cache
        test::perturbWeights(*net, 2);                         // in-place update, as an optimizer step would
        auto after = net->forward(x, t, 0.5);
        auto reference = ReferenceUNet(c, *net, 0.5).forward(x, t);
        QVERIFY((after - before).abs().max().item<double>() > 1e-3);
        QVERIFY((after - reference).abs().max().item<double>() < 1e-4);
    }

    void gradientsReachOnlyThePrefix()
    {
        const NetConfig c = smallConfig();
        auto net = std::make_shared<SlimmableUNet>(c);
        net->train();
        auto x = torch::randn({2, c.channels, c.imageSize, c.imageSize});
        auto t = torch::tensor({10, 900}, torch::kLong);
        net->forward(x, t, 0.5).pow(2).mean().backward();
        const auto params = net->named_parameters();
        const auto& headGrad = params["head.weight"].grad();
        QVERIFY(headGrad.defined());
        QVERIFY(headGrad.slice(0, 0, 16).abs().sum().item<double>() > 0);  // 32 * 0.5 = 16 filters used
        QCOMPARE(headGrad.slice(0, 16).abs().sum().item<double>(), 0.0);
    }

    void handCountedMacsOfTinyNetwork()
    {
        // ch 8, mult (1,2), 1 res block, attention at 4x4, 8x8x1 images, tdim 32.
        const int64_t expected =
            8 * 32 + 32 * 32 +                                          // time MLP
            64 * 1 * 8 * 9 +                                            // head
            (64 * 8 * 8 * 9 + 32 * 8 + 64 * 8 * 8 * 9) +               // down 0, 8x8, 8->8
            16 * 8 * 8 * 9 +                                            // downsample to 4x4
            (16 * 8 * 16 * 9 + 32 * 16 + 16 * 16 * 16 * 9 + 16 * 8 * 16 // down 2, 8->16 + shortcut
             + 3 * 16 * 16 * 16 + 2 * 16 * 16 * 16 + 16 * 16 * 16) +    //   attention: qkv, matmuls, proj
            (2 * 16 * 16 * 16 * 9 + 32 * 16 + 4 * 16 * 16 * 16 + 2 * 16 * 16 * 16) +  // middle 0 (attention)
            (2 * 16 * 16 * 16 * 9 + 32 * 16) +                          // middle 1
            (16 * 32 * 16 * 9 + 32 * 16 + 16 * 16 * 16 * 9 + 16 * 32 * 16 + 4 * 16 * 16 * 16 + 2 * 16 * 16 * 16) +  // up 0: 16+16 in
            (16 * 24 * 16 * 9 + 32 * 16 + 16 * 16 * 16 * 9 + 16 * 24 * 16 + 4 * 16 * 16 * 16 + 2 * 16 * 16 * 16) +  // up 1: 16+8 in
            64 * 16 * 16 * 9 +                                          // upsample to 8x8
            (64 * 24 * 8 * 9 + 32 * 8 + 64 * 8 * 8 * 9 + 64 * 24 * 8) + // up 3: 16+8 in
            (64 * 16 * 8 * 9 + 32 * 8 + 64 * 8 * 8 * 9 + 64 * 16 * 8) + // up 4: 8+8 in
            64 * 8 * 1 * 9;                                             // tail
        QCOMPARE(totalMacs(tinyConfig(), 1.0), expected);
    }

    void analyticCountMatchesOpsOfRealForward_data()
    {
        QTest::addColumn<double>("width");
        for (double w : {1.0, 0.75, 0.5, 0.25})
            QTest::newRow(QByteArray::number(w)) << w;
    }
    void analyticCountMatchesOpsOfRealForward()
    {
        QFETCH(double, width);
        const NetConfig c = smallConfig();
        SlimmableUNet net(c);
        net.eval();
        torch::NoGradGuard noGrad;
        OpLog log;
        net.forward(torch::zeros({1, c.channels, c.imageSize, c.imageSize}), torch::tensor({3}, torch::kLong), width, &log);
        const auto counted = countLayerMacs(c, width);
        QCOMPARE(int(counted.size()), int(log.size()));
        for (size_t i = 0; i < log.size(); ++i) {
            QCOMPARE(QString::fromStdString(counted[i].layer), QString::fromStdString(log[i].layer));
            QCOMPARE(counted[i].macs, log[i].macs);
        }
    }

    void narrowerWidthsCountFewerMacs()
    {
        const NetConfig c = smallConfig();
        int64_t previous = totalMacs(c, 1.0);
        for (double w : {0.75, 0.5, 0.25}) {
            const int64_t macs = totalMacs(c, w);
            QVERIFY(macs < previous);
            previous = macs;
        }
        // Roughly quadratic in width: 0.5 costs between 20% and 35% of full.
        const double ratio = double(totalMacs(c, 0.5)) / double(totalMacs(c, 1.0));
        QVERIFY2(ratio > 0.2 && ratio < 0.35, qPrintable(QString::number(ratio)));
    }

    void badInputIsRejected()
    {
        SlimmableUNet net(tinyConfig());
        QVERIFY_THROWS_EXCEPTION(std::exception, net.forward(torch::zeros({1, 3, 8, 8}), torch::tensor({1}), 1.0));
        QVERIFY_THROWS_EXCEPTION(std::exception, net.forward(torch::zeros({1, 1, 8, 8}), torch::tensor({1}), 1.5));
        NetConfig bad = tinyConfig();
        bad.imageSize = 7;  // cannot be halved
        QVERIFY_THROWS_EXCEPTION(std::exception, SlimmableUNet{bad});
    }
};

QTEST_APPLESS_MAIN(TestNetwork)
#include "test_network.moc"
