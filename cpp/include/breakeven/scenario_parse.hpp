// Scenario file v1 (MODEL.md) from JSON to a validated Scenario. Every rule that
// rejects an input lives here and throws ScenarioError with the field path.
#pragma once

#include "breakeven/json.hpp"
#include "breakeven/scenario.hpp"

namespace breakeven {

// `catalog` is the bundled pricing catalog: {"models": {name: {...}}}. The file's
// `models:` entries are merged over it field by field, or added by name.
// `serving` is the serving catalog (serving.json) a cluster's `serving:` names;
// empty: no cluster may use `serving:`.
Scenario parse_scenario(const Json& scenario, const Json& catalog,
                        const Json& serving = Json::object());

// The catalog alone, validated the same way (for listing it).
std::vector<ApiModel> parse_catalog(const Json& catalog);

}  // namespace breakeven
