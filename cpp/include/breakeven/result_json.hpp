// The result JSON v1 of MODEL.md, with this project's additions (total_cost,
// savings_vs_baseline, break_even.month_probability, version fields).
#pragma once

#include "breakeven/json.hpp"
#include "breakeven/result.hpp"
#include "breakeven/statistics.hpp"

namespace breakeven {

inline constexpr int kResultFormatVersion = 1;

Json result_json(const SimulationResult& result, const Summary& summary);

}  // namespace breakeven
