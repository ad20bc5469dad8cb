// Typed errors of the engine. Input errors carry the field path in the scenario
// (e.g. "workloads[1].input_tokens.p95") so that a front end can point at the line;
// run-option errors carry the option's name (paths, threads, ...).
#pragma once

#include <stdexcept>
#include <string>

namespace breakeven {

class ScenarioError : public std::invalid_argument {
 public:
  ScenarioError(std::string path, std::string reason)
      : std::invalid_argument(path.empty() ? reason : path + ": " + reason),
        path_(std::move(path)),
        reason_(std::move(reason)) {}
  const std::string& path() const { return path_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string path_;
  std::string reason_;
};

// A run option out of bounds, or a run that cannot be done with the resources
// allowed (memory budget, threads that cannot start).
class OptionError : public std::invalid_argument {
 public:
  OptionError(std::string option, std::string reason)
      : std::invalid_argument(option + ": " + reason),
        option_(std::move(option)),
        reason_(std::move(reason)) {}
  const std::string& option() const { return option_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string option_;
  std::string reason_;
};

// A run stopped on request (Ctrl-C); no partial result is returned.
class RunCancelled : public std::runtime_error {
 public:
  RunCancelled() : std::runtime_error("simulation cancelled") {}
};

}  // namespace breakeven
