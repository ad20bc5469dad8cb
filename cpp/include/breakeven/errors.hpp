// Typed errors of the engine. Input errors carry where the input was wrong: the
// field path in the scenario (e.g. "workloads[1].input_tokens.p95"), so that a
// front end can point at the line, or a run option's name (paths, threads, ...).
#pragma once

#include <stdexcept>
#include <string>

namespace breakeven {

class InputError : public std::invalid_argument {
 public:
  InputError(std::string where, std::string reason)
      : std::invalid_argument(where.empty() ? reason : where + ": " + reason),
        where_(std::move(where)),
        reason_(std::move(reason)) {}
  const std::string& reason() const { return reason_; }

 protected:
  std::string where_;

 private:
  std::string reason_;
};

// An invalid scenario field.
class ScenarioError : public InputError {
 public:
  using InputError::InputError;
  const std::string& path() const { return where_; }
};

// A run option out of bounds, or a run that cannot be done with the resources
// allowed (memory budget, threads that cannot start).
class OptionError : public InputError {
 public:
  using InputError::InputError;
  const std::string& option() const { return where_; }
};

// A run stopped on request (Ctrl-C); no partial result is returned.
class RunCancelled : public std::runtime_error {
 public:
  RunCancelled() : std::runtime_error("simulation cancelled") {}
};

}  // namespace breakeven
