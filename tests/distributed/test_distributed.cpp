// The process group on loopback: two ranks as two threads of this test (the
// collectives are the same whether the ranks share a process or not).
#include "base/cancelled.h"
#include "base/error.h"
#include "distributed/dealt_batches.h"
#include "distributed/distributed_config.h"
#include "distributed/process_group.h"

#include <torch/torch.h>

#include <QtTest>

#include <cstdlib>
#include <functional>
#include <thread>
#include <tuple>

using namespace ddsm;

namespace {

DistributedConfig rankConfig(int rank, int world, int port)
{
    DistributedConfig c;
    c.rank = c.localRank = rank;
    c.worldSize = world;
    c.masterPort = port;
    c.timeoutSeconds = 20;
    return c;
}

// Runs body(group) on `world` ranks at once; rethrows the first error.
void onRanks(int world, const std::function<void(ProcessGroup&)>& body)
{
    const int port = freeLoopbackPort();
    std::vector<std::thread> threads;
    std::vector<std::string> errors(static_cast<size_t>(world), std::string());
    for (int r = 0; r < world; ++r)
        threads.emplace_back([&, r] {
            try {
                auto group = ProcessGroup::create(rankConfig(r, world, port));
                body(*group);
            } catch (const std::exception& e) {
                errors[size_t(r)] = e.what();
            }
        });
    for (auto& t : threads)
        t.join();
    for (const auto& e : errors)
        if (!e.empty())
            throw std::runtime_error(e);
}

}  // namespace

class TestDistributed final : public QObject {
    Q_OBJECT

private slots:
    void shardsCoverEveryItemOnce()
    {
        for (int count : {0, 1, 7, 64})
            for (int world : {1, 2, 3, 8}) {
                int64_t next = 0;
                for (int r = 0; r < world; ++r) {
                    const auto s = shardRange(count, r, world);
                    QCOMPARE(s.begin, next);
                    QVERIFY(s.size() == count / world || s.size() == count / world + 1);
                    next = s.end;
                }
                QCOMPARE(next, int64_t(count));
            }
        QCOMPARE(shardRange(7, 0, 2).size(), int64_t(4));  // earlier ranks take the larger share
    }

    void configFromFlagsAndEnvironment()
    {
        ::unsetenv("WORLD_SIZE");
        ::unsetenv("RANK");
        ::unsetenv("LOCAL_RANK");
        ::unsetenv("MASTER_PORT");
        const auto none = distributedConfig([](const std::string&) { return std::nullopt; });
        QVERIFY(!none.distributed());
        QCOMPARE(none.masterPort, 29500);

        ::setenv("WORLD_SIZE", "4", 1);
        ::setenv("RANK", "3", 1);
        ::setenv("MASTER_PORT", "1234", 1);
        auto fromEnv = distributedConfigFromEnvironment();
        QCOMPARE(fromEnv.worldSize, 4);
        QCOMPARE(fromEnv.rank, 3);
        QCOMPARE(fromEnv.localRank, 3);  // LOCAL_RANK unset: as RANK
        QCOMPARE(fromEnv.masterPort, 1234);
        // A flag wins over its variable.
        auto flagged = distributedConfig([](const std::string& f) -> std::optional<std::string> {
            if (f == "rank")
                return "1";
            return std::nullopt;
        });
        QCOMPARE(flagged.rank, 1);

        ::setenv("RANK", "4", 1);
        try {
            distributedConfigFromEnvironment();
            QFAIL("rank 4 of world size 4 accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("RANK"), e.what());
        }
        ::setenv("RANK", "two", 1);
        try {
            distributedConfigFromEnvironment();
            QFAIL("a non-numeric RANK accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("RANK must be an integer, not \"two\""), e.what());
        }
        ::unsetenv("WORLD_SIZE");
        ::unsetenv("RANK");
        ::unsetenv("MASTER_PORT");
    }

    void singleProcessIsANoOp()
    {
        auto group = ProcessGroup::single();
        QCOMPARE(group->worldSize(), 1);
        auto t = torch::arange(5, torch::kFloat);
        group->allReduceSum({t}, "test");
        QVERIFY(torch::equal(t, torch::arange(5, torch::kFloat)));
        QCOMPARE(group->allReduceMax(2.5, "test"), 2.5);
        const auto rows = group->allGatherRows(t.view({5, 1}), "test");
        QCOMPARE(rows.size(), size_t(1));
    }

    void collectivesOnTwoRanks()
    {
        onRanks(2, [](ProcessGroup& g) {
            const int r = g.rank();
            // Mixed dtypes and a bucket smaller than one tensor: several messages.
            auto a = torch::full({3, 4}, float(r + 1));
            auto b = torch::arange(10, torch::kDouble) * (r + 1);
            auto c = torch::full({2}, float(10 * r));
            g.allReduceSum({a, b, c}, "sum", /*bucketBytes=*/40);
            if (!torch::equal(a, torch::full({3, 4}, 3.0f)) || !torch::equal(b, torch::arange(10, torch::kDouble) * 3) ||
                !torch::equal(c, torch::full({2}, 10.0f)))
                throw Error("all-reduce sum is wrong on rank " + std::to_string(r));
            if (g.allReduceMax(r == 1 ? 7.0 : -1.0, "max") != 7.0)
                throw Error("all-reduce max is wrong");
            auto w = torch::full({4}, float(r == 0 ? 42 : -5));
            g.broadcast({w}, "broadcast");
            if (!torch::equal(w, torch::full({4}, 42.0f)))
                throw Error("broadcast is wrong on rank " + std::to_string(r));
            // Rank 0 has 3 rows, rank 1 has none... then 1 row.
            const auto rows = g.allGatherRows(torch::full({r == 0 ? 3 : 0, 2}, float(r)), "gather");
            if (rows.size() != 2 || rows[0].size(0) != 3 || rows[1].size(0) != 0 || rows[0].sum().item<float>() != 0)
                throw Error("gather of rows is wrong on rank " + std::to_string(r));
            const auto some = g.allGatherRows(torch::full({r + 1, 2}, float(r)), "gather");
            if (some[1].size(0) != 2 || some[1].sum().item<float>() != 4)
                throw Error("gather of rows is wrong on rank " + std::to_string(r));
            g.barrier("barrier");
        });
    }

    void dealtBatchesComeBackInItemOrder()
    {
        // Item i's row is (i, -i); a rank computes only the batches dealt to it.
        const auto rowsOf = [](ProcessGroup* g, int64_t count, int64_t batch, int64_t firstBatch) {
            std::vector<at::Tensor> mine;
            for (int64_t first = 0; first < count; first += batch)
                if (isDealtTo(g, firstBatch + first / batch)) {
                    const auto i = torch::arange(first, std::min(count, first + batch), torch::kDouble);
                    mine.push_back(torch::stack({i, -i}, 1));
                }
            return gatherDealtRows(g, mine.empty() ? at::Tensor() : torch::cat(mine), count, batch, "deal",
                                   firstBatch);
        };
        const auto expected = [](int64_t count) {
            const auto i = torch::arange(count, torch::kDouble);
            return torch::stack({i, -i}, 1);
        };
        QVERIFY(torch::equal(rowsOf(nullptr, 7, 3, 0), expected(7)));
        onRanks(3, [&](ProcessGroup& g) {
            // 7 in batches of 2: rank 0 takes batches 0 and 3 (a short one);
            // 3 in batches of 2: rank 2 has none; a range starting at batch 1.
            for (const auto& [count, batch, firstBatch] : {std::tuple<int64_t, int64_t, int64_t>{7, 2, 0}, {3, 2, 0}, {5, 2, 1}})
                if (!torch::equal(rowsOf(&g, count, batch, firstBatch), expected(count)))
                    throw Error("dealt rows out of order on rank " + std::to_string(g.rank()));
            // A rank that computed the wrong share is named.
            try {
                gatherDealtRows(&g, torch::zeros({g.rank() == 1 ? 3 : 2, 1}), 6, 2, "deal");
                throw Error("a short share went unnoticed");
            } catch (const Error& e) {
                if (std::string(e.what()).find("rank 1 sent 3 rows, its batches hold 2") == std::string::npos)
                    throw;
            }
        });
    }

    void everyRankStopsWhenAnyIsCancelled()
    {
        const auto stops = [](ProcessGroup* g, bool cancelled) {
            try {
                stopIfAnyRankCancelled(g, cancelled, "the job");
                return false;
            } catch (const Cancelled& e) {
                if (std::string(e.what()) != "the job cancelled")
                    throw Error(std::string("unexpected message: ") + e.what());
                return true;
            }
        };
        QVERIFY(!stops(nullptr, false));
        QVERIFY(stops(nullptr, true));
        onRanks(2, [&](ProcessGroup& g) {
            if (stops(&g, false))
                throw Error("stopped with no rank cancelled, on rank " + std::to_string(g.rank()));
            // Only rank 1 saw its token: rank 0 stops as well.
            if (!stops(&g, g.rank() == 1))
                throw Error("rank " + std::to_string(g.rank()) + " went on after rank 1 was cancelled");
        });
    }

    void rendezvousTimesOutNamingTheRank()
    {
        // Rank 1 of 2 with nobody serving the store.
        auto c = rankConfig(1, 2, freeLoopbackPort());
        c.timeoutSeconds = 1;
        QElapsedTimer timer;
        timer.start();
        try {
            ProcessGroup::create(c);
            QFAIL("joined a job without rank 0");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("rank 1 of 2: rendezvous with rank 0 at 127.0.0.1:"), e.what());
        }
        QVERIFY2(timer.elapsed() < 15000, qPrintable(QString::number(timer.elapsed())));
    }
};

QTEST_APPLESS_MAIN(TestDistributed)
#include "test_distributed.moc"
