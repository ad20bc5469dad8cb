// The validated scenario as JSON: every default filled in, weights normalised,
// token sizes as mean and standard deviation, routes resolved. Used to echo the
// assumptions of a run and by models outside the engine (tests/bench).
#pragma once

#include "breakeven/json.hpp"
#include "breakeven/scenario.hpp"

namespace breakeven {

Json resolved_scenario_json(const Scenario& scenario);

// One API model with every default filled in.
Json model_json(const ApiModel& model);
// Where a cluster's rates came from (its `serving:`): catalog entry, basis
// (measured, estimate or bench), replica, memory fit, source and date.
Json serving_json(const Serving& serving);

}  // namespace breakeven
