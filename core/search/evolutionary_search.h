#pragma once
// Step-aware schedule search with NSGA-II over (quality, relative cost).
//
// Generation 0 evaluates the initial population: the given genomes, one
// uniform genome per width, then random genomes. Every later generation breeds
// `population` offspring (binary tournaments, crossover, mutation), evaluates
// them, and keeps the best `population` of parents and offspring by
// non-dominated rank and crowding distance. Every generation draws its random
// numbers from (seed, generation) and every evaluation is cached by genome, so
// a search resumed from a checkpoint continues exactly as an uninterrupted one.
//
// With racing on, every generation ends by giving the candidates under the
// budget that are not clearly beaten more images (racing.h) before survival.
//
// Runs on the calling thread; progress goes to a plain callback after each
// generation, and a cancel flag stops it at the last complete generation.
// Give a SamplingEvaluator the same flag (SamplingEvaluatorOptions::cancel) so
// that a running evaluation stops within one network call.
#include "search/candidate.h"
#include "search/evaluation_cache.h"
#include "search/racing.h"
#include "search/variation.h"

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ddsm {

struct SearchSettings {
    int population = 32;
    int generations = 20;          // after generation 0
    uint64_t seed = 0;
    int widthCount = 4;            // width indices 0..widthCount-1, 0 = widest
    GeneLayout layout;
    CrossoverKind crossover = CrossoverKind::Uniform;
    double crossoverProbability = 0.9;
    double mutationProbability = 0;  // per gene; <= 0 means 1 / genes
    double budget = 0.5;             // relative cost for "best under budget"
    std::vector<Genome> initialGenomes;
    int prescreenFactor = 3;         // with a predictor: offspring bred per one evaluated
    RacingSettings racing;           // more images for close candidates under the budget (racing.h)
    // Describes the evaluator and cost (model, samples, seed, ...); a
    // checkpoint resumes only under identical settings and context.
    std::string context;

    double perGeneMutation() const;
    void validate() const;         // throws ddsm::Error naming the setting
    std::string fingerprint() const;  // JSON of everything that shapes the run except `generations` and `budget`
};

struct GenerationReport {
    int generation = 0;
    int generations = 0;
    std::vector<Candidate> front;      // over everything evaluated so far
    std::optional<Candidate> best;     // best under budget so far
    double budget = 0;
    int64_t cacheLookups = 0, cacheHits = 0;
    int evaluatedThisGeneration = 0;
    int raisedThisGeneration = 0;      // racing: re-scores on more images
    EvaluatorStats evaluator;
    double elapsedSeconds = 0;         // including time before a resume
};

using RelativeCost = std::function<double(const Genome&)>;
using GenerationCallback = std::function<void(const GenerationReport&)>;

class EvolutionarySearch {
public:
    EvolutionarySearch(SearchSettings settings, RelativeCost cost, CandidateEvaluator& evaluator);

    void setPredictor(CandidatePredictor* predictor) { predictor_ = predictor; }
    // Written atomically after every generation.
    void setCheckpointPath(std::string path) { checkpointPath_ = std::move(path); }
    // Restores population, archive and counters; throws ddsm::Error if the
    // checkpoint was made under other settings.
    void resume(const std::string& checkpointPath);

    // Runs until `settings.generations` are complete. Returns false when
    // cancelled (the state is that of the last complete generation).
    bool run(const std::atomic<bool>* cancel = nullptr, const GenerationCallback& onGeneration = {});

    const SearchSettings& settings() const { return settings_; }
    int completedGenerations() const { return completed_; }  // -1 before generation 0
    const std::vector<Candidate>& population() const { return population_; }
    std::vector<Candidate> evaluated() const;  // the archive
    std::vector<Candidate> front() const { return paretoFront(evaluated()); }
    std::optional<Candidate> best() const { return bestUnderBudget(evaluated(), settings_.budget); }
    const EvaluationCache& cache() const { return cache_; }
    GenerationReport report(int evaluatedThisGeneration) const;

private:
    std::vector<Genome> initialGenomes();
    std::vector<Genome> breed(int generation);
    std::vector<Candidate> score(const std::vector<Genome>& genomes);
    int race();  // re-scores contenders until none is left; returns the re-scores
    void survive(std::vector<Candidate> offspring);
    void saveCheckpoint() const;

    SearchSettings settings_;
    RelativeCost cost_;
    CandidateEvaluator& evaluator_;
    CandidatePredictor* predictor_ = nullptr;
    std::string checkpointPath_;
    std::vector<Candidate> population_;
    EvaluationCache cache_;
    int completed_ = -1;
    double elapsedBefore_ = 0, elapsedThisRun_ = 0;
};

}  // namespace ddsm
