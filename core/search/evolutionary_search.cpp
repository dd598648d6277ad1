#include "search/evolutionary_search.h"

#include "base/error.h"
#include "search/search_checkpoint.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <set>

namespace ddsm {

double SearchSettings::perGeneMutation() const
{
    return mutationProbability > 0 ? mutationProbability : 1.0 / layout.genes();
}

void SearchSettings::validate() const
{
    if (population < 2)
        throw Error("population must be at least 2, got " + std::to_string(population));
    if (generations < 0)
        throw Error("generations must not be negative");
    if (widthCount < 2 || widthCount > 10)
        throw Error("the search needs 2 to 10 widths, got " + std::to_string(widthCount));
    if (layout.genes() < 1)
        throw Error("the gene layout is empty");
    if (!(crossoverProbability >= 0 && crossoverProbability <= 1))
        throw Error("crossover probability must be in [0, 1]");
    if (!(mutationProbability <= 1))
        throw Error("mutation probability must be at most 1");
    if (prescreenFactor < 1)
        throw Error("prescreen factor must be at least 1");
    if (racing.maxSamples < 0 || !(racing.z >= 0))
        throw Error("racing needs a non-negative sample cap and z");
    for (const auto& g : initialGenomes) {
        if (int(g.size()) != layout.genes())
            throw Error("an initial genome has " + std::to_string(g.size()) + " genes, expected " +
                        std::to_string(layout.genes()));
        for (int w : g)
            if (w < 0 || w >= widthCount)
                throw Error("an initial genome has width index " + std::to_string(w));
    }
}

std::string SearchSettings::fingerprint() const
{
    nlohmann::json initial = nlohmann::json::array();
    for (const auto& g : initialGenomes)
        initial.push_back(genomeKey(g));
    std::vector<int> stepToGene;
    for (int s = 0; s < layout.steps(); ++s)
        stepToGene.push_back(layout.geneOfStep(s));
    return nlohmann::json{{"population", population},
                          {"seed", seed},
                          {"width_count", widthCount},
                          {"granularity", layout.description()},
                          {"step_to_gene", stepToGene},
                          {"crossover", toString(crossover)},
                          {"crossover_probability", crossoverProbability},
                          {"mutation_probability", perGeneMutation()},
                          {"initial_genomes", initial},
                          {"prescreen_factor", prescreenFactor},
                          {"racing_max_samples", racing.maxSamples},
                          {"racing_z", racing.z},
                          {"context", context}}
        .dump();
}

namespace {

// The settings that differ, "name was X, now Y", one by one; the context (model,
// sampler, quality, costs) is JSON text of its own and is compared field by field.
std::string settingsDifference(const nlohmann::json& was, const nlohmann::json& now)
{
    std::string out;
    auto add = [&](const std::string& name, const nlohmann::json& a, const nlohmann::json& b) {
        if (a == b)
            return;
        out += (out.empty() ? "" : "; ") + name + " was " + (a.is_null() ? "unset" : a.dump()) + ", now " +
               (b.is_null() ? "unset" : b.dump());
    };
    auto keys = [](const nlohmann::json& a, const nlohmann::json& b) {
        std::set<std::string> k;
        for (const auto* j : {&a, &b})
            if (j->is_object())
                for (auto it = j->begin(); it != j->end(); ++it)
                    k.insert(it.key());
        return k;
    };
    auto field = [](const nlohmann::json& j, const std::string& key) {
        return j.is_object() && j.contains(key) ? j.at(key) : nlohmann::json();
    };
    for (const auto& key : keys(was, now)) {
        const auto a = field(was, key), b = field(now, key);
        if (key == "context" && a.is_string() && b.is_string()) {
            const auto ca = nlohmann::json::parse(a.get<std::string>(), nullptr, false);
            const auto cb = nlohmann::json::parse(b.get<std::string>(), nullptr, false);
            if (ca.is_object() && cb.is_object()) {
                for (const auto& inner : keys(ca, cb))
                    add(inner, field(ca, inner), field(cb, inner));
                continue;
            }
        }
        add(key, a, b);
    }
    return out;
}

}  // namespace

EvolutionarySearch::EvolutionarySearch(SearchSettings settings, RelativeCost cost, CandidateEvaluator& evaluator)
    : settings_(std::move(settings)), cost_(std::move(cost)), evaluator_(evaluator)
{
    settings_.validate();
}

void EvolutionarySearch::resume(const std::string& checkpointPath)
{
    const auto c = loadSearchCheckpoint(checkpointPath);
    const auto was = nlohmann::json::parse(c.fingerprint), now = nlohmann::json::parse(settings_.fingerprint());
    if (was != now)
        throw Error(checkpointPath + ": made under other settings: " + settingsDifference(was, now) +
                    " (resume with the options it was started with, or search into a new folder)");
    population_ = c.population;
    cache_ = EvaluationCache();
    for (const auto& a : c.archive)
        cache_.insert(a.genome, a.evaluation);
    cache_.setCounters(c.cacheLookups, c.cacheHits);
    completed_ = c.generation;
    elapsedBefore_ = c.elapsedSeconds;
}

std::vector<Candidate> EvolutionarySearch::evaluated() const
{
    std::vector<Candidate> out;
    out.reserve(cache_.entries().size());
    for (const auto& a : cache_.entries())
        out.push_back({a.genome, a.evaluation, cost_(a.genome)});
    return out;
}

GenerationReport EvolutionarySearch::report(int evaluatedThisGeneration) const
{
    GenerationReport r;
    r.generation = completed_;
    r.generations = settings_.generations;
    const auto all = evaluated();
    r.front = paretoFront(all);
    r.best = bestUnderBudget(all, settings_.budget);
    r.budget = settings_.budget;
    r.cacheLookups = cache_.lookups();
    r.cacheHits = cache_.hits();
    r.evaluatedThisGeneration = evaluatedThisGeneration;
    r.evaluator = evaluator_.stats();
    r.elapsedSeconds = elapsedBefore_ + elapsedThisRun_;
    return r;
}

std::vector<Genome> EvolutionarySearch::initialGenomes()
{
    SearchRng rng(settings_.seed, 0);
    std::vector<Genome> genomes;
    std::set<Genome> seen;
    auto add = [&](const Genome& g) {
        if (int(genomes.size()) < settings_.population && seen.insert(g).second)
            genomes.push_back(g);
    };
    for (const auto& g : settings_.initialGenomes)
        add(g);
    for (int w = 0; w < settings_.widthCount; ++w)
        add(Genome(settings_.layout.genes(), w));
    // Random fill; a tiny genome space may hold fewer distinct genomes than
    // the population, so give up after enough repeats.
    for (int attempts = 0; int(genomes.size()) < settings_.population && attempts < 100 * settings_.population;
         ++attempts) {
        Genome g(settings_.layout.genes());
        for (auto& gene : g)
            gene = rng.below(settings_.widthCount);
        add(g);
    }
    while (int(genomes.size()) < settings_.population)
        genomes.push_back(genomes[genomes.size() % seen.size()]);
    return genomes;
}

std::vector<Genome> EvolutionarySearch::breed(int generation)
{
    SearchRng rng(settings_.seed, uint64_t(generation));
    std::vector<Objectives> points;
    for (const auto& c : population_)
        points.push_back(c.objectives());
    const auto rc = rankAndCrowding(points);
    const int wanted = settings_.population * (predictor_ ? settings_.prescreenFactor : 1);
    std::vector<Genome> offspring;
    while (int(offspring.size()) < wanted) {
        const Genome& a = population_[tournament(rc, rng)].genome;
        const Genome& b = population_[tournament(rc, rng)].genome;
        auto children = rng.chance(settings_.crossoverProbability) ? crossover(a, b, settings_.crossover, rng)
                                                                   : std::make_pair(a, b);
        for (Genome* child : {&children.first, &children.second}) {
            mutate(*child, settings_.widthCount, settings_.perGeneMutation(), rng);
            if (int(offspring.size()) < wanted)
                offspring.push_back(*child);
        }
    }
    if (!predictor_)
        return offspring;
    // Keep the offspring that look best by predicted quality and exact cost.
    const auto predicted = predictor_->predictQuality(offspring);
    std::vector<Objectives> guesses;
    for (size_t i = 0; i < offspring.size(); ++i)
        guesses.push_back({predicted.at(i), cost_(offspring[i])});
    std::vector<Genome> kept;
    for (int i : selectSurvivors(guesses, settings_.population))
        kept.push_back(offspring[i]);
    return kept;
}

std::vector<Candidate> EvolutionarySearch::score(const std::vector<Genome>& genomes)
{
    std::vector<Genome> missing;
    std::set<Genome> pending;
    for (const auto& g : genomes)
        if (!cache_.lookup(g) && pending.insert(g).second)
            missing.push_back(g);
    if (!missing.empty()) {
        const auto results = evaluator_.evaluate(missing);
        if (results.size() != missing.size())
            throw Error("the evaluator returned " + std::to_string(results.size()) + " evaluations for " +
                        std::to_string(missing.size()) + " candidates");
        for (size_t i = 0; i < missing.size(); ++i)
            cache_.insert(missing[i], results[i]);
    }
    std::vector<Candidate> out;
    for (const auto& g : genomes)
        out.push_back({g, *cache_.find(g), cost_(g)});
    return out;
}

int EvolutionarySearch::race()
{
    int raised = 0;
    while (true) {
        const auto all = evaluated();
        const auto contenders = raceContenders(all, settings_.budget, settings_.racing);
        if (contenders.empty())
            return raised;
        // One call per target count, so an evaluator can batch them.
        std::map<int, std::vector<Genome>> byCount;
        for (size_t i : contenders)
            byCount[nextSampleCount(all[i].evaluation.samples, settings_.racing.maxSamples)].push_back(all[i].genome);
        for (const auto& [count, genomes] : byCount) {
            const auto results = evaluator_.evaluateWith(genomes, count);
            if (results.size() != genomes.size())
                throw Error("racing needs an evaluator that can score on more images");
            for (size_t i = 0; i < genomes.size(); ++i) {
                if (results[i].samples <= cache_.find(genomes[i])->samples)
                    throw Error("the evaluator did not add images to a contender");
                cache_.insert(genomes[i], results[i]);
            }
            raised += int(genomes.size());
        }
    }
}

void EvolutionarySearch::survive(std::vector<Candidate> offspring)
{
    std::vector<Candidate> pool = population_;
    pool.insert(pool.end(), offspring.begin(), offspring.end());
    // Duplicates would crowd the front with copies; select among distinct genomes.
    std::vector<Candidate> distinct, repeats;
    std::set<Genome> seen;
    for (auto& c : pool)
        (seen.insert(c.genome).second ? distinct : repeats).push_back(c);
    std::vector<Objectives> points;
    for (const auto& c : distinct)
        points.push_back(c.objectives());
    std::vector<Candidate> next;
    for (int i : selectSurvivors(points, settings_.population))
        next.push_back(distinct[i]);
    for (size_t i = 0; int(next.size()) < settings_.population; ++i)
        next.push_back(repeats.at(i));
    population_ = std::move(next);
}

void EvolutionarySearch::saveCheckpoint() const
{
    if (checkpointPath_.empty())
        return;
    SearchCheckpoint c;
    c.fingerprint = settings_.fingerprint();
    c.generation = completed_;
    c.elapsedSeconds = elapsedBefore_ + elapsedThisRun_;
    c.population = population_;
    c.archive = cache_.entries();
    c.cacheLookups = cache_.lookups();
    c.cacheHits = cache_.hits();
    saveSearchCheckpoint(checkpointPath_, c);
}

bool EvolutionarySearch::run(const std::atomic<bool>* cancel, const GenerationCallback& onGeneration)
{
    const auto start = std::chrono::steady_clock::now();
    const double elapsedAtStart = elapsedThisRun_;
    auto tick = [&] {
        elapsedThisRun_ = elapsedAtStart + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    try {
        while (completed_ < settings_.generations) {
            if (cancel && cancel->load())
                return false;
            const int generation = completed_ + 1;
            const size_t before = cache_.entries().size();
            auto scored = score(generation == 0 ? initialGenomes() : breed(generation));
            const int raised = race();
            for (auto& c : scored)  // racing may have re-scored them
                c.evaluation = *cache_.find(c.genome);
            if (generation == 0)
                population_ = std::move(scored);
            else {
                for (auto& c : population_)
                    c.evaluation = *cache_.find(c.genome);
                survive(std::move(scored));
            }
            completed_ = generation;
            tick();
            saveCheckpoint();
            if (onGeneration) {
                auto r = report(int(cache_.entries().size() - before));
                r.raisedThisGeneration = raised;
                onGeneration(r);
            }
        }
    } catch (const SearchCancelled&) {
        tick();
        return false;
    }
    return true;
}

}  // namespace ddsm
