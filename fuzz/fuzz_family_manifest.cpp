// Family manifests (.json: separately trained TorchScript networks, one per
// width) as parseFamilyManifest reads them, before any member file is opened.
// ddsm::Error is the expected refusal; anything else is a bug.
#include "base/error.h"
#include "family/family_manifest.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    ddsm::looksLikeFamilyManifest(text);  // the dispatch test never throws
    try {
        const auto manifest = ddsm::parseFamilyManifest(text, "/fuzz/family.json");
        // What the reader accepts holds: a member of width 1.0 first, widths descending.
        if (manifest.members.empty() || manifest.members.front().width != 1.0)
            __builtin_trap();
        for (size_t i = 1; i < manifest.members.size(); ++i)
            if (!(manifest.members[i].width < manifest.members[i - 1].width))
                __builtin_trap();
    } catch (const ddsm::Error&) {
    }
    return 0;
}
