// A JSON value together with its field path, with typed getters that throw
// ScenarioError naming that path. Internal to the scenario parser.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "breakeven/errors.hpp"
#include "breakeven/json.hpp"

namespace breakeven::detail {

std::string format_number(double x);

class Field {
 public:
  Field(const Json& value, std::string path) : value_(&value), path_(std::move(path)) {}

  const Json& json() const { return *value_; }
  const std::string& path() const { return path_; }

  [[noreturn]] void fail(const std::string& reason) const {
    throw ScenarioError(path_, reason);
  }
  void require(bool ok, const std::string& reason) const {
    if (!ok) fail(reason);
  }

  bool is_object() const { return value_->is_object(); }
  bool is_array() const { return value_->is_array(); }
  bool is_number() const { return value_->is_number(); }
  bool is_string() const { return value_->is_string(); }
  bool is_null() const { return value_->is_null(); }

  void expect_object() const;
  void expect_array() const;
  // Unknown keys are errors: a typo must not silently change a plan.
  void allow_only(std::initializer_list<std::string_view> keys) const;

  bool has(std::string_view key) const;
  Field at(std::string_view key) const;  // required key
  std::optional<Field> find(std::string_view key) const;
  Field item(std::size_t i) const;
  std::size_t size() const { return value_->size(); }
  std::vector<std::string> keys() const;

  double number() const;
  double number_in(double lo, double hi) const;  // closed interval
  double at_least(double lo) const;
  double positive() const;
  long long integer(long long lo, long long hi) const;
  bool boolean() const;
  std::string string() const;
  // A name that plans refer to (workload, strategy, model, cluster): non-empty,
  // printable, at most limits::kMaxNameLength bytes.
  std::string name() const;
  // The same rule for a mapping key naming this field.
  void check_name(const std::string& key) const;
  // A seed: a whole number in [0, 2^64).
  std::uint64_t seed() const;

 private:
  std::string child_path(std::string_view key) const;
  std::string type_name() const;

  const Json* value_;
  std::string path_;
};

}  // namespace breakeven::detail
