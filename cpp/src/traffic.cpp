#include "breakeven/traffic.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>

#include "breakeven/calendar.hpp"
#include "breakeven/samplers.hpp"

namespace breakeven {
namespace {

// A factor F of the correlation matrix with F F^T = C. Pivoted LDL^T (Eigen's
// robust Cholesky) also handles semidefinite matrices such as all-ones.
Eigen::MatrixXd correlation_factor(const Eigen::MatrixXd& c) {
  Eigen::LDLT<Eigen::MatrixXd> ldlt(c);
  Eigen::VectorXd d = ldlt.vectorD().cwiseMax(0.0).cwiseSqrt();
  Eigen::MatrixXd l = ldlt.matrixL();
  Eigen::MatrixXd f = ldlt.transpositionsP().transpose() * (l * d.asDiagonal());
  return f;
}

}  // namespace

void TrafficPath::resize(int n_workloads, int n_hours) {
  workloads = n_workloads;
  hours = n_hours;
  const std::size_t n = std::size_t(n_workloads) * n_hours;
  requests.resize(n);
  variable_input.resize(n);
  output.resize(n);
}

TrafficModel::TrafficModel(const Scenario& scenario)
    : workloads_(scenario.workloads),
      hours_(scenario.hours()),
      weeks_((scenario.hours() + kHoursPerWeek - 1) / kHoursPerWeek),
      base_rate_(std::size_t(scenario.workloads.size()) * scenario.hours()),
      shock_factor_(correlation_factor(scenario.correlation)) {
  for (int w = 0; w < workloads(); ++w) {
    const Workload& wl = workloads_[w];
    const double log_growth = std::log1p(wl.growth_per_month);
    for (int t = 0; t < hours_; ++t) {
      base_rate_[std::size_t(w) * hours_ + t] =
          wl.requests_per_hour * wl.hourly_weights[hour_of_day(t)] *
          wl.weekday_weights[day_of_week(t)] *
          std::exp(log_growth * t / double(kHoursPerMonth));
    }
  }
}

void TrafficModel::expected(TrafficPath& out) const {
  out.resize(workloads(), hours_);
  for (int w = 0; w < workloads(); ++w) {
    const Workload& wl = workloads_[w];
    for (int t = 0; t < hours_; ++t) {
      const std::size_t i = out.index(w, t);
      const double n = base_rate_[i];
      out.requests[i] = n;
      out.variable_input[i] = n * wl.variable_input_mean();
      out.output[i] = n * wl.output.mean;
    }
  }
}

Eigen::MatrixXd TrafficModel::weekly_multipliers(Xoshiro256pp& gen) const {
  const int nw = workloads();
  boost::random::normal_distribution<double> normal;
  Eigen::MatrixXd m(nw, weeks_);
  Eigen::VectorXd z(nw), x = Eigen::VectorXd::Zero(nw);
  for (int k = 0; k < weeks_; ++k) {
    for (int w = 0; w < nw; ++w) z[w] = normal(gen);
    const Eigen::VectorXd e = shock_factor_ * z;
    for (int w = 0; w < nw; ++w) {
      const double s = workloads_[w].spikiness.sigma;
      const double phi = workloads_[w].spikiness.autocorrelation;
      // Stationary AR(1): X(0) = s e(0), X(k) = phi X(k-1) + s sqrt(1-phi^2) e(k).
      x[w] = k == 0 ? s * e[w] : phi * x[w] + s * std::sqrt(1.0 - phi * phi) * e[w];
      m(w, k) = std::exp(x[w] - 0.5 * s * s);
    }
  }
  return m;
}

void TrafficModel::sample(Xoshiro256pp& gen, TrafficPath& out) const {
  out.resize(workloads(), hours_);
  const Eigen::MatrixXd weekly = weekly_multipliers(gen);
  boost::random::normal_distribution<double> normal;

  for (int w = 0; w < workloads(); ++w) {
    const Workload& wl = workloads_[w];
    const double burst_p = wl.bursts.per_month / kHoursPerMonth;
    const double mu_v = wl.variable_input_mean();
    int burst_end = 0;  // bursts cover hours [start, burst_end)
    for (int t = 0; t < hours_; ++t) {
      const std::size_t i = out.index(w, t);
      double lambda = base_rate_[i] * weekly(w, week_of(t));
      if (burst_p > 0) {
        if (uniform01(gen) < burst_p)
          burst_end = std::max(burst_end, t + wl.bursts.hours);
        if (t < burst_end) lambda *= wl.bursts.multiplier;
      }
      const double n = poisson(gen, lambda);
      const double z1 = normal(gen);
      const double z2 = normal(gen);
      const double root_n = std::sqrt(n);
      out.requests[i] = n;
      out.variable_input[i] = std::max(0.0, n * mu_v + root_n * wl.input.sd * z1);
      out.output[i] = std::max(0.0, n * wl.output.mean + root_n * wl.output.sd * z2);
    }
  }
}

}  // namespace breakeven
