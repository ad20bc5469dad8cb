// breakeven-engine: the engine driven by JSON alone, without Python.
//   breakeven-engine SCENARIO.json [--catalog CATALOG.json] [--serving SERVING.json]
//                    [--paths N] [--seed S]
//                    [--mode expected|stochastic] [--threads N]
// A scenario's `catalog: PATH` (relative to it) is read unless --catalog is given.
// Writes the result JSON v1 to stdout. Exit 0 ok, 2 invalid input, 1 internal error.
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "breakeven/errors.hpp"
#include "breakeven/json.hpp"
#include "breakeven/monte_carlo.hpp"
#include "breakeven/result_json.hpp"
#include "breakeven/scenario_parse.hpp"

namespace {

volatile std::sig_atomic_t g_interrupted = 0;
void on_sigint(int) { g_interrupted = 1; }

breakeven::Json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw breakeven::ScenarioError("", "cannot open " + path);
  try {
    return breakeven::Json::parse(in);
  } catch (const breakeven::Json::parse_error& e) {
    throw breakeven::ScenarioError("", path + " is not valid JSON: " + e.what());
  }
}

int usage() {
  std::cerr << "usage: breakeven-engine SCENARIO.json [--catalog FILE] [--serving FILE] [--paths N] "
               "[--seed S] [--mode expected|stochastic] [--threads N]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace breakeven;
  if (argc < 2) return usage();
  std::string scenario_path = argv[1];
  std::string catalog_path, serving_path;
  RunOptions options;
  try {
    for (int i = 2; i < argc; ++i) {
      std::string arg = argv[i];
      if (i + 1 >= argc) return usage();
      std::string value = argv[++i];
      if (arg == "--catalog")
        catalog_path = value;
      else if (arg == "--serving")
        serving_path = value;
      else if (arg == "--paths")
        options.paths = std::stoll(value);
      else if (arg == "--seed")
        options.seed = std::stoull(value);
      else if (arg == "--threads")
        options.threads = std::stoi(value);
      else if (arg == "--mode" && mode_from_name(value))
        options.mode = mode_from_name(value);
      else
        return usage();
    }
  } catch (const std::exception&) {
    return usage();
  }
  try {
    const Json scenario_json = read_json(scenario_path);
    // The scenario's catalog: (relative to it) where --catalog does not name one.
    if (catalog_path.empty() && scenario_json.is_object() &&
        scenario_json.contains("catalog") && scenario_json.at("catalog").is_string())
      catalog_path = (std::filesystem::path(scenario_path).parent_path() /
                      scenario_json.at("catalog").get<std::string>())
                         .string();
    Json catalog = catalog_path.empty() ? Json{{"models", Json::object()}}
                                        : read_json(catalog_path);
    Json serving = serving_path.empty() ? Json::object() : read_json(serving_path);
    Scenario scenario = parse_scenario(scenario_json, catalog, serving);
    std::signal(SIGINT, on_sigint);
    options.interrupted = [] { return g_interrupted != 0; };
    SimulationResult result = simulate(scenario, options);
    std::cout << result_json(result, summarize(result)).dump(1) << "\n";
    return 0;
  } catch (const ScenarioError& e) {
    std::cerr << scenario_path << ": " << e.what() << "\n";
    return 2;
  } catch (const OptionError& e) {
    std::cerr << "error: --" << e.what() << "\n";
    return 2;
  } catch (const RunCancelled&) {
    std::cerr << "interrupted\n";
    return 130;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return 1;
  }
}
