#include "search/search_checkpoint.h"

#include "base/atomic_file.h"
#include "base/error.h"

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

Genome genomeFromKey(const std::string& key)
{
    Genome genome;
    for (char c : key) {
        if (c < '0' || c > '9')
            throw Error("genome \"" + key + "\" has a character that is not a width index");
        genome.push_back(c - '0');
    }
    return genome;
}

ArchivedCandidate archivedFromJson(const nlohmann::json& j)
{
    ArchivedCandidate a;
    a.genome = genomeFromKey(j.at("genome").get<std::string>());
    a.evaluation.quality = j.at("quality").get<double>();
    a.evaluation.kid = j.at("kid").is_null() ? std::nan("") : j.at("kid").get<double>();
    a.evaluation.samples = j.at("samples").get<int64_t>();
    a.evaluation.uncertainty = j.value("uncertainty", 0.0);  // absent in checkpoints made before racing
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
    try {
        const auto doc = nlohmann::json::parse(readWholeFile(path));
        if (doc.value("format", "") != kFormat || doc.value("version", 0) != 1)
            throw Error("not a version 1 " + std::string(kFormat));
        SearchCheckpoint c;
        c.fingerprint = doc.at("settings").dump();
        c.generation = doc.at("generation").get<int>();
        c.elapsedSeconds = doc.at("elapsed_seconds").get<double>();
        c.cacheLookups = doc.at("cache").at("lookups").get<int64_t>();
        c.cacheHits = doc.at("cache").at("hits").get<int64_t>();
        for (const auto& j : doc.at("population")) {
            const auto a = archivedFromJson(j);
            c.population.push_back({a.genome, a.evaluation, j.at("cost").get<double>()});
        }
        for (const auto& j : doc.at("archive"))
            c.archive.push_back(archivedFromJson(j));
        return c;
    } catch (const nlohmann::json::exception& e) {
        throw Error(path + ": " + e.what());
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
}

}  // namespace ddsm
