// Named shapes a scenario may give instead of 24 hourly or 7 weekday weights.
// Only the shape matters: weights are divided by their mean when loaded.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <vector>

namespace breakeven {

std::optional<std::array<double, 24>> hourly_preset(std::string_view name);
std::optional<std::array<double, 7>> weekday_preset(std::string_view name);
std::vector<std::string_view> hourly_preset_names();
std::vector<std::string_view> weekday_preset_names();

}  // namespace breakeven
