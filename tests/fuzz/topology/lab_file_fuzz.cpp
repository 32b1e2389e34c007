// libFuzzer target for the lab description (STYLE.md "Every decoder fuzzed": lab_file): YAML
// text -> load (yaml-cpp + the field reader) -> validate (every tutorial and cloud rule) ->
// compile into gateway plans -> each plan written as YAML and read back, as `vpnlab up`
// writes <run>/<node>.plan.yaml and `vpnlab gateway` reads it. Any text must give a Lab or
// diagnostics, never a crash or an exception; a lab validate() accepts must compile into
// plans whose files read back.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "topology/lab_loader.hpp"
#include "topology/plan.hpp"
#include "topology/validate.hpp"

using namespace vpnlab::topology;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  LoadResult loaded = load_lab_text(text, "fuzz.yaml");
  (void)loaded.diagnostics.format("fuzz.yaml");
  if (!loaded.lab || !loaded.diagnostics.ok()) return 0;
  Diagnostics found = validate(*loaded.lab);
  (void)found.format("fuzz.yaml");
  if (!found.ok()) return 0;
  LabPlan plan = compile(*loaded.lab);
  (void)plan.notes.format("fuzz.yaml");
  for (const GatewayPlan& g : plan.gateways) {
    auto back = plan_from_yaml(plan_to_yaml(g));
    if (!back) std::abort();  // a plan the gateway could not read
  }
  return 0;
}
