// Small scenarios for the tests, built as JSON so they also go through the parser.
#pragma once

#include <string>
#include <utility>

#include "breakeven/errors.hpp"
#include "breakeven/json.hpp"
#include "breakeven/scenario_parse.hpp"

namespace breakeven::testing {

// One flat real-time workload, 10 requests/hour, 1000 input and 100 output tokens,
// on a model priced 1 (input) and 10 (output) per 1M tokens: 0.02 per hour.
inline Json one_workload_scenario() {
  return Json::parse(R"({
    "name": "t", "horizon_months": 3,
    "simulation": {"paths": 50, "seed": 3},
    "models": {"m": {"input": 1.0, "output": 10.0}},
    "workloads": [{"name": "w", "requests": {"per_hour": 10},
                   "input_tokens": 1000, "output_tokens": 100}],
    "strategies": [{"name": "api", "route": {"default": "m"}}]
  })");
}

inline Json empty_catalog() { return Json{{"models", Json::object()}}; }

inline Scenario parse(const Json& j) { return parse_scenario(j, empty_catalog()); }

// The path and reason of the error parsing `j`, or "" if it parses.
inline std::pair<std::string, std::string> error_of(const Json& j) {
  try {
    parse(j);
  } catch (const ScenarioError& e) {
    return {e.path(), e.reason()};
  }
  return {"", ""};
}

}  // namespace breakeven::testing
