#include "json_field.hpp"

#include <cmath>
#include <cstdio>

#include "breakeven/limits.hpp"

namespace breakeven::detail {

std::string format_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", x);
  return buf;
}

std::string Field::type_name() const {
  switch (value_->type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::array:
      return "a list";
    case Json::value_t::object:
      return "a mapping";
    default:
      return "a number";
  }
}

std::string Field::child_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void Field::expect_object() const {
  require(is_object(), "must be a mapping (got " + type_name() + ")");
}

void Field::expect_array() const {
  require(is_array(), "must be a list (got " + type_name() + ")");
}

void Field::allow_only(std::initializer_list<std::string_view> keys) const {
  expect_object();
  for (const auto& [key, _] : value_->items()) {
    bool known = false;
    for (auto k : keys) known = known || k == key;
    if (known) continue;
    std::string allowed;
    for (auto k : keys) allowed += (allowed.empty() ? "" : ", ") + std::string(k);
    throw ScenarioError(child_path(key), "unknown field (allowed: " + allowed + ")");
  }
}

bool Field::has(std::string_view key) const {
  return value_->is_object() && value_->contains(key);
}

Field Field::at(std::string_view key) const {
  expect_object();
  auto it = value_->find(key);
  if (it == value_->end()) throw ScenarioError(child_path(key), "is required");
  return Field(*it, child_path(key));
}

std::optional<Field> Field::find(std::string_view key) const {
  expect_object();
  auto it = value_->find(key);
  if (it == value_->end()) return std::nullopt;
  return Field(*it, child_path(key));
}

Field Field::item(std::size_t i) const {
  return Field((*value_)[i], path_ + "[" + std::to_string(i) + "]");
}

std::vector<std::string> Field::keys() const {
  expect_object();
  std::vector<std::string> out;
  for (const auto& [key, _] : value_->items()) out.push_back(key);
  return out;
}

double Field::number() const {
  require(value_->is_number() && !value_->is_boolean(),
          "must be a number (got " + type_name() + ")");
  double x = value_->get<double>();
  require(std::isfinite(x), "must be a finite number");
  return x;
}

double Field::number_in(double lo, double hi) const {
  double x = number();
  require(x >= lo && x <= hi, "must be between " + format_number(lo) + " and " +
                                  format_number(hi) + " (got " + format_number(x) +
                                  ")");
  return x;
}

double Field::at_least(double lo) const {
  double x = number();
  require(x >= lo,
          "must be >= " + format_number(lo) + " (got " + format_number(x) + ")");
  return x;
}

double Field::positive() const {
  double x = number();
  require(x > 0, "must be > 0 (got " + format_number(x) + ")");
  return x;
}

long long Field::integer(long long lo, long long hi) const {
  double x = number();
  require(std::floor(x) == x, "must be a whole number (got " + format_number(x) + ")");
  require(x >= static_cast<double>(lo) && x <= static_cast<double>(hi),
          "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
              " (got " + format_number(x) + ")");
  return static_cast<long long>(x);
}

bool Field::boolean() const {
  require(value_->is_boolean(), "must be true or false (got " + type_name() + ")");
  return value_->get<bool>();
}

std::string Field::string() const {
  require(value_->is_string(), "must be a string (got " + type_name() + ")");
  return value_->get<std::string>();
}

namespace {
// Why `name` cannot name a workload, strategy, model or cluster; empty if it can.
std::string name_problem(const std::string& name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > limits::kMaxNameLength)
    return "names are at most " + std::to_string(limits::kMaxNameLength) +
           " bytes (got " + std::to_string(name.size()) + ")";
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f)
      return "names must not contain control characters such as newlines or escapes";
  return {};
}
}  // namespace

std::string Field::name() const {
  std::string s = string();
  if (auto problem = name_problem(s); !problem.empty()) fail(problem);
  return s;
}

void Field::check_name(const std::string& key) const {
  if (auto problem = name_problem(key); !problem.empty()) fail(problem);
}

std::uint64_t Field::seed() const {
  if (value_->is_number_unsigned()) return value_->get<std::uint64_t>();
  if (value_->is_number_integer())  // a negative integer
    fail("must be a whole number between 0 and 2^64-1 (got " +
         std::to_string(value_->get<long long>()) + ")");
  const double x = number();
  require(std::floor(x) == x && x >= 0 && x < 18446744073709551616.0,
          "must be a whole number between 0 and 2^64-1 (got " + format_number(x) + ")");
  return static_cast<std::uint64_t>(x);
}

}  // namespace breakeven::detail
