#include "breakeven/weight_presets.hpp"

namespace breakeven {
namespace {

struct HourlyPreset {
  std::string_view name;
  std::array<double, 24> weights;
};
struct WeekdayPreset {
  std::string_view name;
  std::array<double, 7> weights;
};

// Shapes of common request logs: office tools peak 9-18, consumer apps in the
// evening, nightly jobs between midnight and 6.
constexpr HourlyPreset kHourly[] = {
    {"flat", {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
    {"business_hours",
     {0.15, 0.15, 0.15, 0.15, 0.15, 0.15, 0.3, 0.5, 1,   1,   1,   1,
      1,    1,    1,    1,    1,    1,    1,   0.5, 0.5, 0.3, 0.2, 0.15}},
    {"consumer", {0.5, 0.35, 0.25, 0.2, 0.2, 0.25, 0.4, 0.6, 0.8, 0.9, 1, 1,
                  1.1, 1.1,  1,    1,   1.1, 1.2,  1.4, 1.5, 1.5, 1.3, 1, 0.7}},
    {"overnight", {1,   1,   1,   1,   1,   1,   0.2, 0.1, 0.1, 0.1, 0.1, 0.1,
                   0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5}},
};

constexpr WeekdayPreset kWeekday[] = {
    {"flat", {1, 1, 1, 1, 1, 1, 1}},
    {"weekdays", {1, 1, 1, 1, 1, 0.3, 0.3}},
    {"weekend_heavy", {0.8, 0.8, 0.8, 0.8, 0.9, 1.3, 1.3}},
};

}  // namespace

std::optional<std::array<double, 24>> hourly_preset(std::string_view name) {
  for (const auto& p : kHourly)
    if (p.name == name) return p.weights;
  return std::nullopt;
}

std::optional<std::array<double, 7>> weekday_preset(std::string_view name) {
  for (const auto& p : kWeekday)
    if (p.name == name) return p.weights;
  return std::nullopt;
}

std::vector<std::string_view> hourly_preset_names() {
  std::vector<std::string_view> names;
  for (const auto& p : kHourly) names.push_back(p.name);
  return names;
}

std::vector<std::string_view> weekday_preset_names() {
  std::vector<std::string_view> names;
  for (const auto& p : kWeekday) names.push_back(p.name);
  return names;
}

}  // namespace breakeven
