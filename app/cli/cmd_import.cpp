// ddsm import-checkpoint: a checkpoint of the paper's training code becomes a
// DDSM Studio model file (and its search.txt a schedule JSON beside it).
#include "commands.h"

#include "args.h"

#include "api/ddsm_api.h"

#include <cstdio>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm import-checkpoint CKPT --out MODEL.safetensors [--schedule search.txt] [--net]\n"
    "                              [--config CFG | --image-size N]\n"
    "\n"
    "Converts a checkpoint of DDSM's own training code (torch.save of a dict with\n"
    "'ema_model' and 'net_model' state dicts of its SlimmableUNet) into a model file.\n"
    "The architecture is inferred from the tensor shapes (ch, ch_mult, res blocks,\n"
    "attention levels, T, image channels; the image size from the checkpoint's x_T),\n"
    "checked tensor by tensor, written, and read back to validate it.\n"
    "The pickle is read by an allow-list unpickler that never runs code from the file:\n"
    "it accepts tensors, dicts, lists and numbers and refuses any other global by name.\n"
    "Only torch.save's zip format (PyTorch 1.6 and later) is read. It needs Python with\n"
    "numpy: /usr/bin/python3 with python3-numpy, or the interpreter named by $DDSM_PYTHON.\n"
    "\n";

OptionTable optionTable()
{
    return {
        {"out", "MODEL", "the model file to write (.safetensors)"},
        {"net", "", "import the raw weights (net_model) instead of the EMA ones"},
        {"schedule", "FILE",
         "the paper's search.txt (one width per training timestep) to\n"
         "convert too; written as MODEL's stem + .schedule.json"},
        {"snap-widths", "",
         "round schedule widths the network lacks to its nearest width\n"
         "(with a note) instead of refusing the schedule"},
        {"config", "CFG", "use this architecture JSON instead of inferring it"},
        {"image-size", "N", "image size when the checkpoint has no x_T"},
    };
}

}  // namespace

int runImportCheckpoint(const std::vector<std::string>& argv)
{
    const OptionTable table = optionTable();
    const Args args(argv, table);
    if (args.wantsHelp() || args.positionals().size() != 1 || !args.has("out")) {
        std::fprintf(args.wantsHelp() ? stdout : stderr, "%s%s", kHelp, table.help().c_str());
        return args.wantsHelp() ? 0 : 2;
    }
    api::ImportOptions options;
    options.checkpoint = args.positionals().front();
    options.out = *args.given("out");
    options.netWeights = args.has("net");
    options.schedule = args.get("schedule", "");
    options.snapWidths = args.has("snap-widths");
    options.config = args.get("config", "");
    if (args.has("image-size"))
        options.imageSize = args.getInt("image-size");

    const api::ImportResult result = api::importCheckpoint(options);
    for (const auto& note : result.notes)
        std::printf("note: %s\n", note.c_str());
    std::printf("wrote %s (%s weights, %s)\n", result.modelPath.c_str(), result.weights.c_str(),
                result.architecture.c_str());
    if (!result.schedulePath.empty())
        std::printf("wrote %s (from %s)\n", result.schedulePath.c_str(), options.schedule.c_str());
    return 0;
}

}  // namespace ddsm::cli
