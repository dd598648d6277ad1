#pragma once
// How many threads the engine uses: the machine's core count unless the user
// says otherwise (`--threads N`). Torch defaults to one thread on some builds,
// so the count is always set explicitly.

namespace ddsm {

int defaultThreadCount();

}  // namespace ddsm
