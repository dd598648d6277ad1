#include "distributed/distributed_config.h"

#include "base/error.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace ddsm {

namespace {

struct Setting {
    const char* flag;
    const char* variable;
};

const Setting kAddr{"master-addr", "MASTER_ADDR"}, kPort{"master-port", "MASTER_PORT"},
    kWorld{"world-size", "WORLD_SIZE"}, kRank{"rank", "RANK"}, kLocal{"local-rank", "LOCAL_RANK"},
    kTimeout{"dist-timeout", "DDSM_DIST_TIMEOUT"};

// The value and where it came from ("--rank" or "RANK"), for error messages.
std::optional<std::pair<std::string, std::string>> lookup(const FlagLookup& flags, const Setting& s)
{
    if (flags)
        if (auto v = flags(s.flag))
            return std::make_pair(*v, std::string("--") + s.flag);
    if (const char* v = std::getenv(s.variable); v && *v)
        return std::make_pair(std::string(v), std::string(s.variable));
    return std::nullopt;
}

long long integer(const std::pair<std::string, std::string>& value)
{
    try {
        size_t used = 0;
        const long long n = std::stoll(value.first, &used);
        if (used == value.first.size())
            return n;
    } catch (const std::exception&) {
    }
    throw Error(value.second + " must be an integer, not \"" + value.first + "\"");
}

}  // namespace

std::string DistributedConfig::describe() const
{
    std::ostringstream out;
    out << "rank " << rank << " of " << worldSize << " (local " << localRank << "), rendezvous " << masterAddr << ":"
        << masterPort << ", timeout " << timeoutSeconds << " s";
    return out.str();
}

void DistributedConfig::validate() const
{
    if (worldSize < 1)
        throw Error("WORLD_SIZE / --world-size must be at least 1, not " + std::to_string(worldSize));
    if (rank < 0 || rank >= worldSize)
        throw Error("RANK / --rank must be in 0 .. " + std::to_string(worldSize - 1) + " for world size " +
                    std::to_string(worldSize) + ", not " + std::to_string(rank));
    if (localRank < 0)
        throw Error("LOCAL_RANK / --local-rank must not be negative");
    if (masterPort < 1 || masterPort > 65535)
        throw Error("MASTER_PORT / --master-port must be in 1 .. 65535, not " + std::to_string(masterPort));
    if (masterAddr.empty())
        throw Error("MASTER_ADDR / --master-addr is empty");
    if (!(timeoutSeconds > 0))
        throw Error("DDSM_DIST_TIMEOUT / --dist-timeout must be positive");
}

DistributedConfig distributedConfig(const FlagLookup& flags)
{
    DistributedConfig c;
    if (auto v = lookup(flags, kWorld))
        c.worldSize = int(integer(*v));
    if (auto v = lookup(flags, kRank))
        c.rank = int(integer(*v));
    if (auto v = lookup(flags, kLocal))
        c.localRank = int(integer(*v));
    else
        c.localRank = c.rank;
    if (auto v = lookup(flags, kAddr))
        c.masterAddr = v->first;
    if (auto v = lookup(flags, kPort))
        c.masterPort = int(integer(*v));
    if (auto v = lookup(flags, kTimeout)) {
        try {
            c.timeoutSeconds = std::stod(v->first);
        } catch (const std::exception&) {
            throw Error(v->second + " must be a number of seconds, not \"" + v->first + "\"");
        }
    }
    if (c.worldSize == 1 && lookup(flags, kRank) && c.rank != 0)
        throw Error("RANK / --rank " + std::to_string(c.rank) + " is set but WORLD_SIZE / --world-size is not");
    c.validate();
    return c;
}

DistributedConfig distributedConfigFromEnvironment() { return distributedConfig(nullptr); }

int freeLoopbackPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        throw Error("cannot open a socket to find a free port");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t length = sizeof addr;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0;
    ::close(fd);
    if (!ok)
        throw Error("cannot find a free port on 127.0.0.1");
    return ntohs(addr.sin_port);
}

}  // namespace ddsm
