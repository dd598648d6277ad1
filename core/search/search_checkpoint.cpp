#include "search/search_checkpoint.h"

#include "base/atomic_file.h"
#include "base/error.h"
#include "base/json_fields.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace ddsm {

namespace {

constexpr const char* kFormat = "ddsm-search-checkpoint";

nlohmann::json evaluationJson(const Genome& genome, const Evaluation& e)
{
    return {{"genome", genomeKey(genome)},
            {"quality", e.quality},
            {"kid", std::isnan(e.kid) ? nlohmann::json(nullptr) : nlohmann::json(e.kid)},
            {"samples", e.samples},
            {"uncertainty", e.uncertainty}};
}

Genome genomeFromKey(const JsonFields& in, const std::string& key, const std::string& field)
{
    Genome genome;
    for (char c : key) {
        if (c < '0' || c > '9')
            in.failField(field, "is \"" + key + "\", which has a character that is not a width index");
        genome.push_back(c - '0');
    }
    return genome;
}

ArchivedCandidate archivedFromJson(const JsonFields& in, const nlohmann::json& j, const std::string& field)
{
    in.requireObject(j, field);
    const std::string prefix = field + ".";
    ArchivedCandidate a;
    a.genome = genomeFromKey(in, in.get<std::string>(j, prefix, "genome"), prefix + "genome");
    a.evaluation.quality = in.get<double>(j, prefix, "quality");
    const nlohmann::json& kid = in.require(j, prefix, "kid");
    a.evaluation.kid = kid.is_null() ? std::nan("") : in.number(kid, prefix + "kid");
    a.evaluation.samples = in.get<int64_t>(j, prefix, "samples");
    a.evaluation.uncertainty = in.getOr(j, prefix, "uncertainty", 0.0);  // absent in checkpoints made before racing
    return a;
}

}  // namespace

void saveSearchCheckpoint(const std::string& path, const SearchCheckpoint& c)
{
    nlohmann::json population = nlohmann::json::array(), archive = nlohmann::json::array();
    for (const auto& p : c.population) {
        auto j = evaluationJson(p.genome, p.evaluation);
        j["cost"] = p.cost;
        population.push_back(j);
    }
    for (const auto& a : c.archive)
        archive.push_back(evaluationJson(a.genome, a.evaluation));
    const nlohmann::json doc{{"format", kFormat},
                             {"version", 1},
                             {"settings", nlohmann::json::parse(c.fingerprint)},
                             {"generation", c.generation},
                             {"elapsed_seconds", c.elapsedSeconds},
                             {"cache", {{"lookups", c.cacheLookups}, {"hits", c.cacheHits}}},
                             {"population", population},
                             {"archive", archive}};
    writeFileAtomically(path, doc.dump(1) + "\n");
}

SearchCheckpoint loadSearchCheckpoint(const std::string& path)
{
    const JsonFields in(path);
    const auto doc = parseJson(readWholeFile(path), path);
    if (in.getOr<std::string>(doc, "", "format", "") != kFormat || in.getOr(doc, "", "version", 0) != 1)
        in.fail("not a version 1 " + std::string(kFormat));
    SearchCheckpoint c;
    c.fingerprint = in.require(doc, "", "settings").dump();
    c.generation = in.get<int>(doc, "", "generation");
    c.elapsedSeconds = in.get<double>(doc, "", "elapsed_seconds");
    const nlohmann::json& cache = in.require(doc, "", "cache");
    in.requireObject(cache, "cache");
    c.cacheLookups = in.get<int64_t>(cache, "cache.", "lookups");
    c.cacheHits = in.get<int64_t>(cache, "cache.", "hits");
    const nlohmann::json& population = in.require(doc, "", "population");
    in.requireArray(population, "population");
    for (size_t i = 0; i < population.size(); ++i) {
        const std::string field = "population[" + std::to_string(i) + "]";
        const auto a = archivedFromJson(in, population[i], field);
        c.population.push_back({a.genome, a.evaluation, in.get<double>(population[i], field + ".", "cost")});
    }
    const nlohmann::json& archive = in.require(doc, "", "archive");
    in.requireArray(archive, "archive");
    for (size_t i = 0; i < archive.size(); ++i)
        c.archive.push_back(archivedFromJson(in, archive[i], "archive[" + std::to_string(i) + "]"));
    return c;
}

}  // namespace ddsm
