// Kendall's tau-b against values scipy.stats.kendalltau gives for the same data.
#include "base/error.h"
#include "metrics/kendall_tau.h"

#include <QtTest>

using namespace ddsm;

class TestKendallTau final : public QObject {
    Q_OBJECT
private slots:
    void sameOrderIsOneReversedIsMinusOne()
    {
        QCOMPARE(kendallTau({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
        QCOMPARE(kendallTau({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
    }
    void tiesFollowTauB()
    {
        // scipy.stats.kendalltau([1,2,3,4,5], [5,6,7,8,7]).statistic = 0.7378647873726218:
        // 8 concordant, 1 discordant, 1 pair tied in y: 7 / sqrt(10 * 9).
        QVERIFY(std::abs(kendallTau({1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}) - 0.7378647873726218) < 1e-15);
    }
    void badInputsAreErrors()
    {
        QVERIFY_THROWS_EXCEPTION(Error, kendallTau({1, 2}, {1, 2, 3}));
        QVERIFY_THROWS_EXCEPTION(Error, kendallTau({1}, {1}));
        QVERIFY_THROWS_EXCEPTION(Error, kendallTau({1, 1, 1}, {1, 2, 3}));
    }
};

QTEST_APPLESS_MAIN(TestKendallTau)
#include "test_kendall_tau.moc"
