// The simulation clock of MODEL.md "Time": one step is one hour, month = 730 h.
#pragma once

#include <cstdint>

namespace breakeven {

inline constexpr int kHoursPerDay = 24;
inline constexpr int kDaysPerWeek = 7;
inline constexpr int kHoursPerWeek = 168;
inline constexpr int kHoursPerMonth = 730;
inline constexpr double kSecondsPerHour = 3600.0;

// Hour 0 is Monday 00:00 of month 0.
constexpr int hour_of_day(int t) { return t % kHoursPerDay; }
constexpr int day_of_week(int t) { return (t / kHoursPerDay) % kDaysPerWeek; }
constexpr int week_of(int t) { return t / kHoursPerWeek; }
constexpr int month_of(int t) { return t / kHoursPerMonth; }

}  // namespace breakeven
