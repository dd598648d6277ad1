#include "distributed/launcher.h"

#include "base/error.h"
#include "distributed/distributed_config.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>

namespace ddsm {

namespace {

volatile std::sig_atomic_t forwardedSignal = 0;
void onSignal(int signal) { forwardedSignal = signal; }

struct Rank {
    int rank = 0;
    pid_t pid = -1;
    int fds[2] = {-1, -1};     // its stdout, stderr (read ends)
    std::string partial[2];    // an unfinished line per stream
    bool running = true;
    int status = 0;
};

void emit(const Rank& r, int stream, const std::string& line)
{
    FILE* out = stream == 0 ? stdout : stderr;
    std::fprintf(out, "[rank %d] %s\n", r.rank, line.c_str());
    std::fflush(out);
}

// Reads what is there; returns false at end of stream.
bool drain(Rank& r, int stream)
{
    char buffer[4096];
    const ssize_t n = ::read(r.fds[stream], buffer, sizeof buffer);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return true;
    if (n <= 0) {
        if (!r.partial[stream].empty())
            emit(r, stream, r.partial[stream]);
        r.partial[stream].clear();
        ::close(r.fds[stream]);
        r.fds[stream] = -1;
        return false;
    }
    std::string& text = r.partial[stream];
    text.append(buffer, size_t(n));
    for (size_t newline; (newline = text.find('\n')) != std::string::npos;) {
        emit(r, stream, text.substr(0, newline));
        text.erase(0, newline + 1);
    }
    return true;
}

std::string describeExit(int status)
{
    if (WIFSIGNALED(status))
        return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
               strsignal(WTERMSIG(status)) + ")";
    return "exited with code " + std::to_string(WEXITSTATUS(status));
}

int exitCodeOf(int status) { return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status); }

pid_t start(const LaunchOptions& o, int localRank, int port, int pipes[2][2])
{
    const pid_t pid = ::fork();
    if (pid != 0)
        return pid;
    // The child: its own process group, so that ending a rank ends what it started.
    ::setpgid(0, 0);
    ::dup2(pipes[0][1], STDOUT_FILENO);
    ::dup2(pipes[1][1], STDERR_FILENO);
    for (auto& p : {pipes[0], pipes[1]}) {
        ::close(p[0]);
        ::close(p[1]);
    }
    const int rank = o.nodeRank * o.nproc + localRank;
    ::setenv("MASTER_ADDR", o.masterAddr.c_str(), 1);
    ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
    ::setenv("WORLD_SIZE", std::to_string(o.nnodes * o.nproc).c_str(), 1);
    ::setenv("RANK", std::to_string(rank).c_str(), 1);
    ::setenv("LOCAL_RANK", std::to_string(localRank).c_str(), 1);
    ::setenv("LOCAL_WORLD_SIZE", std::to_string(o.nproc).c_str(), 1);
    ::setenv("GROUP_RANK", std::to_string(o.nodeRank).c_str(), 1);
    std::vector<std::string> words = o.command;
    if (words[0] == "ddsm")
        words[0] = "/proc/self/exe";
    std::vector<char*> argv;
    for (auto& w : words)
        argv.push_back(w.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    std::fprintf(stderr, "cannot start %s: %s\n", o.command[0].c_str(), std::strerror(errno));
    ::_exit(127);
}

}  // namespace

void LaunchOptions::validate() const
{
    if (nproc < 1)
        throw Error("--nproc must be at least 1");
    if (nnodes < 1 || nodeRank < 0 || nodeRank >= nnodes)
        throw Error("--node-rank must be in 0 .. --nnodes - 1");
    if (masterPort < 0 || masterPort > 65535)
        throw Error("--master-port must be in 0 .. 65535");
    if (masterPort == 0 && nnodes > 1)
        throw Error("--master-port 0 (a free local port) works on one machine only; give every machine the same port");
    if (!(graceSeconds >= 0))
        throw Error("--grace must not be negative");
    if (command.empty())
        throw Error("no command to launch: ddsm launch --nproc N -- COMMAND ...");
}

int launchLocalRanks(const LaunchOptions& o, const std::function<void(const std::string&)>& report)
{
    o.validate();
    const int port = o.masterPort == 0 ? freeLoopbackPort() : o.masterPort;
    report("starting " + std::to_string(o.nproc) + " ranks (world size " + std::to_string(o.nnodes * o.nproc) +
           "), rendezvous " + o.masterAddr + ":" + std::to_string(port));
    std::vector<Rank> ranks(size_t(o.nproc));
    for (int i = 0; i < o.nproc; ++i) {
        int pipes[2][2];
        if (::pipe(pipes[0]) != 0 || ::pipe(pipes[1]) != 0)
            throw Error("cannot create pipes for rank " + std::to_string(i));
        Rank& r = ranks[size_t(i)];
        r.rank = o.nodeRank * o.nproc + i;
        r.pid = start(o, i, port, pipes);
        for (int s = 0; s < 2; ++s) {
            ::close(pipes[s][1]);
            r.fds[s] = pipes[s][0];
            ::fcntl(r.fds[s], F_SETFL, O_NONBLOCK);
        }
    }
    // Ctrl-C and SIGTERM go to every rank, which end (and checkpoint) on their own.
    struct sigaction action{}, oldInt{}, oldTerm{};
    action.sa_handler = onSignal;
    ::sigaction(SIGINT, &action, &oldInt);
    ::sigaction(SIGTERM, &action, &oldTerm);

    using Clock = std::chrono::steady_clock;
    std::optional<Clock::time_point> killAt;
    const Rank* failed = nullptr;
    bool killed = false;
    auto endOthers = [&](int signal) {
        for (auto& r : ranks)
            if (r.running)
                ::kill(-r.pid, signal);
    };
    for (;;) {
        std::vector<pollfd> fds;
        std::vector<std::pair<Rank*, int>> owners;
        for (auto& r : ranks)
            for (int s = 0; s < 2; ++s)
                if (r.fds[s] >= 0) {
                    fds.push_back({r.fds[s], POLLIN, 0});
                    owners.emplace_back(&r, s);
                }
        bool anyRunning = false;
        for (auto& r : ranks)
            anyRunning |= r.running;
        if (fds.empty() && !anyRunning)
            break;
        if (!fds.empty())
            ::poll(fds.data(), fds.size(), 100);
        else
            ::usleep(100 * 1000);
        for (size_t i = 0; i < fds.size(); ++i)
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
                drain(*owners[i].first, owners[i].second);

        if (forwardedSignal) {
            report(std::string("forwarding ") + strsignal(forwardedSignal) + " to every rank");
            endOthers(forwardedSignal);
            forwardedSignal = 0;
            if (!killAt)
                killAt = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                            std::chrono::duration<double>(o.graceSeconds + 60));
        }
        for (auto& r : ranks) {
            if (!r.running || ::waitpid(r.pid, &r.status, WNOHANG) != r.pid)
                continue;
            r.running = false;
            if ((WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) || failed)
                continue;
            failed = &r;
            report("rank " + std::to_string(r.rank) + " (pid " + std::to_string(r.pid) + ") " +
                   describeExit(r.status) + "; ending the other ranks (SIGKILL after " +
                   std::to_string(int(o.graceSeconds)) + " s)");
            endOthers(SIGTERM);
            killAt = Clock::now() +
                     std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.graceSeconds));
        }
        if (killAt && !killed && Clock::now() >= *killAt) {
            for (auto& r : ranks)
                if (r.running)
                    report("rank " + std::to_string(r.rank) + " did not end within the grace period: SIGKILL");
            endOthers(SIGKILL);
            killed = true;
        }
    }
    ::sigaction(SIGINT, &oldInt, nullptr);
    ::sigaction(SIGTERM, &oldTerm, nullptr);
    if (failed) {
        report("job failed: rank " + std::to_string(failed->rank) + " " + describeExit(failed->status));
        return exitCodeOf(failed->status);
    }
    for (const auto& r : ranks)
        if (exitCodeOf(r.status) != 0)
            return exitCodeOf(r.status);
    return 0;
}

}  // namespace ddsm
