// One JSON type for the whole engine: ordered, so echoed scenarios and results
// keep the order of the file.
#pragma once

#include <nlohmann/json.hpp>

namespace breakeven {
using Json = nlohmann::ordered_json;
}
