// Traffic of all workloads on one Monte Carlo path (MODEL.md "Traffic" and
// "Tokens"): requests, variable input tokens and output tokens per hour.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <optional>
#include <vector>

#include "breakeven/rng.hpp"
#include "breakeven/scenario.hpp"

namespace breakeven {

// One path's hourly traffic, workload-major: value(w, t) = data[w * hours + t],
// and the path's price factors per month (model v2; all 1 when prices are flat).
struct TrafficPath {
  int workloads = 0;
  int hours = 0;
  int months = 0;
  std::vector<double> requests;        // N_w(t)
  std::vector<double> root_rate;       // scratch: sqrt(lambda_w(t)) of one workload
  std::vector<double> variable_input;  // V_w(t)
  std::vector<double> output;          // O_w(t)
  std::vector<double> hourly_factor;   // S_w(t), only with hourly noise
  std::vector<double> monthly_demand;  // requests of all workloads per month
  std::vector<double> model_price;     // [model][month]
  std::vector<double> cluster_price;   // [cluster][month], of gpu_price_per_hour
  std::vector<std::uint8_t> spot_down;  // [cluster][hour]: spot GPUs interrupted
  // This path's draw of each workload's uncertain parameters (model v3
  // "Parameter uncertainty"): its rate's multiplier and log(1 + g') - log(1 + g).
  std::vector<double> rate_factor;
  std::vector<double> log_growth_shift;

  void resize(int n_workloads, int n_hours, int n_models, int n_clusters);
  std::size_t index(int w, int t) const { return std::size_t(w) * hours + t; }
  double model_price_factor(int model, int month) const {
    return model_price[std::size_t(model) * months + month];
  }
  double cluster_price_factor(int cluster, int month) const {
    return cluster_price[std::size_t(cluster) * months + month];
  }
};

// What does not change between paths: the deterministic hourly rate
// R * d[hour] * k[dow] * (1+g)^(t/730) per workload, and the factor of the
// shock correlation matrix.
class TrafficModel {
 public:
  explicit TrafficModel(const Scenario& scenario);

  int workloads() const { return int(workloads_.size()); }
  int hours() const { return hours_; }
  double base_rate(int w, int t) const {
    return base_rate_[std::size_t(w) * hours_ + t];
  }

  // Expected mode: M = 1, B = 1, N = lambda, Z = 0.
  void expected(TrafficPath& out) const;
  // Stochastic mode: all randomness drawn from `gen`, in a fixed order; every
  // standard normal shock is multiplied by `sign` (-1: the antithetic path).
  // `parameters` draws the workloads' uncertain parameters, from a stream of
  // their own so that the traffic's draws stay those of fixed parameters.
  void sample(Xoshiro256pp& gen, TrafficPath& out, double sign = 1.0,
              Xoshiro256pp* parameters = nullptr) const;
  // Path p of a run with this seed: its own stream, or with antithetic variates
  // path 2k+1 replays path 2k's stream with its normal shocks negated.
  void sample_path(std::uint64_t seed, int p, bool antithetic, TrafficPath& out) const;

  // exp(X_w(k) - s_w^2/2) for every week k, row w (exposed for tests).
  Eigen::MatrixXd weekly_multipliers(Xoshiro256pp& gen, double sign = 1.0) const;
  // S_w(t) = exp(Y_w(t) - sh^2/2) into out.hourly_factor (model v2).
  void hourly_multipliers(Xoshiro256pp& gen, TrafficPath& out, double sign = 1.0) const;

 private:
  // Price factors of every model and cluster; `gen` draws the trend rates, none
  // in expected mode (the central rate).
  void price_factors(Xoshiro256pp* gen, TrafficPath& out, double sign = 1.0) const;
  // Each workload's rate factor and growth shift on this path (1 and 0 without
  // `gen` or uncertainty).
  void draw_parameters(Xoshiro256pp* gen, TrafficPath& out, double sign) const;
  // Spot interruptions of every cluster with spot GPUs (none without `gen`).
  void spot_outages(Xoshiro256pp* gen, TrafficPath& out) const;
  void resize(TrafficPath& out) const;
  // A switching workload's days on and off (Activity), applied to its rates n
  // and their roots.
  void active_days(Xoshiro256pp& gen, const Activity& a, double* n, double* root) const;
  // One workload's token totals per hour given its requests n: max(0, n mean +
  // sqrt(n) sd sign Z), Z drawn hour by hour (none when sd = 0).
  void tokens(Xoshiro256pp& gen, const double* n, double mean, double sd, double sign,
              double* out) const;

  std::vector<Workload> workloads_;
  std::vector<PricePath> model_prices_;
  std::vector<PricePath> cluster_prices_;
  std::vector<std::optional<Spot>> cluster_spot_;
  int hours_ = 0;
  int weeks_ = 0;
  int months_ = 0;
  bool hourly_noise_ = false;       // any workload with hourly_sigma > 0
  bool uncertain_ = false;          // any workload with parameter uncertainty, not fixed
  bool any_spot_ = false;           // any cluster with spot GPUs
  bool independent_shocks_ = true;  // C is the identity
  std::vector<double> base_rate_;
  std::vector<double> root_base_rate_;  // its square roots
  Eigen::MatrixXd shock_factor_;  // F with F F^T = C
};

}  // namespace breakeven
