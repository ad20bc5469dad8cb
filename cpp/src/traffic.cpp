#include "breakeven/traffic.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "breakeven/calendar.hpp"
#include "breakeven/limits.hpp"
#include "breakeven/month_sums.hpp"
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

void TrafficPath::resize(int n_workloads, int n_hours, int n_models, int n_clusters) {
  workloads = n_workloads;
  hours = n_hours;
  months = (n_hours + kHoursPerMonth - 1) / kHoursPerMonth;
  const std::size_t n = std::size_t(n_workloads) * n_hours;
  requests.resize(n);
  root_rate.resize(n_hours);
  variable_input.resize(n);
  output.resize(n);
  monthly_demand.assign(months, 0.0);
  model_price.assign(std::size_t(n_models) * months, 1.0);
  cluster_price.assign(std::size_t(n_clusters) * months, 1.0);
}

void TrafficModel::resize(TrafficPath& out) const {
  out.resize(workloads(), hours_, int(model_prices_.size()),
             int(cluster_prices_.size()));
  if (any_spot_) out.spot_down.assign(cluster_spot_.size() * hours_, 0);
}

TrafficModel::TrafficModel(const Scenario& scenario)
    : workloads_(scenario.workloads),
      hours_(scenario.hours()),
      weeks_((scenario.hours() + kHoursPerWeek - 1) / kHoursPerWeek),
      months_(scenario.horizon_months),
      independent_shocks_(scenario.correlation.isIdentity()),
      base_rate_(std::size_t(scenario.workloads.size()) * scenario.hours()),
      shock_factor_(correlation_factor(scenario.correlation)) {
  for (const ApiModel& m : scenario.models) model_prices_.push_back(m.price_path);
  for (const Cluster& c : scenario.clusters) {
    cluster_prices_.push_back(c.gpu_price_path);
    cluster_spot_.push_back(c.spot);
    any_spot_ |= c.spot.has_value();
  }
  for (const Workload& w : workloads_) hourly_noise_ |= w.spikiness.hourly_sigma > 0;
  uncertain_ = scenario.draws_parameters();
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
  root_base_rate_.resize(base_rate_.size());
  for (std::size_t i = 0; i < base_rate_.size(); ++i)
    root_base_rate_[i] = std::sqrt(base_rate_[i]);
}

void TrafficModel::expected(TrafficPath& out) const {
  resize(out);
  for (int w = 0; w < workloads(); ++w) {
    const Workload& wl = workloads_[w];
    for (int t = 0; t < hours_; ++t) {
      const std::size_t i = out.index(w, t);
      const double n = base_rate_[i];
      out.requests[i] = n;
      out.monthly_demand[month_of(t)] += n;
      out.variable_input[i] = n * wl.variable_input_mean();
      out.output[i] = n * wl.output.mean;
    }
  }
  price_factors(nullptr, out);
}

void TrafficModel::spot_outages(Xoshiro256pp* gen, TrafficPath& out) const {
  if (!gen) return;  // expected mode: no outages
  for (std::size_t c = 0; c < cluster_spot_.size(); ++c) {
    const auto& spot = cluster_spot_[c];
    if (!spot || spot->interruptions_per_month <= 0) continue;
    // An interruption starts with probability k/730 an hour and takes the spot
    // GPUs away for hours u..u+D-1; one during an outage extends it.
    const double p = spot->interruptions_per_month / kHoursPerMonth;
    int down_until = 0;
    for (int t = 0; t < hours_; ++t) {
      if (uniform01(*gen) < p) down_until = std::max(down_until, t + spot->outage_hours);
      out.spot_down[c * hours_ + t] = t < down_until;
    }
  }
}

void TrafficModel::hourly_multipliers(Xoshiro256pp& gen, TrafficPath& out,
                                      double sign) const {
  const int nw = workloads();
  out.hourly_factor.resize(std::size_t(nw) * hours_);
  Eigen::VectorXd z(nw), e(nw), y = Eigen::VectorXd::Zero(nw);
  for (int t = 0; t < hours_; ++t) {
    for (int w = 0; w < nw; ++w) z[w] = sign * standard_normal(gen);
    // The same correlation matrix as the weekly shocks.
    if (independent_shocks_)
      e = z;
    else
      e.noalias() = shock_factor_ * z;
    for (int w = 0; w < nw; ++w) {
      const double s = workloads_[w].spikiness.hourly_sigma;
      const double phi = workloads_[w].spikiness.hourly_autocorrelation;
      // Y(0) = sh e'(0), Y(t) = ph Y(t-1) + sh sqrt(1-ph^2) e'(t)
      y[w] = t == 0 ? s * e[w] : phi * y[w] + s * std::sqrt(1.0 - phi * phi) * e[w];
      out.hourly_factor[out.index(w, t)] = std::exp(y[w] - 0.5 * s * s);
    }
  }
}

namespace {

// r ~ Normal(monthly, sigma) truncated to r > -0.5, by redrawing.
double trend_rate(const PricePath& p, Xoshiro256pp* gen, double sign) {
  if (!gen || p.trend_sigma == 0) return p.trend_monthly;
  double r;
  do r = sign * standard_normal(*gen) * p.trend_sigma + p.trend_monthly;
  while (!(r > -0.5));
  return r;
}

void fill(const PricePath& p, double r, double* months, int n) {
  for (int m = 0; m < n; ++m) months[m] = p.factor(m, r);
}

}  // namespace

void TrafficModel::price_factors(Xoshiro256pp* gen, TrafficPath& out, double sign) const {
  // Drawn after all traffic, in model then cluster order, so that a price trend
  // leaves the traffic of a path unchanged; flat prices draw nothing.
  for (std::size_t i = 0; i < model_prices_.size(); ++i)
    if (!model_prices_[i].is_flat())
      fill(model_prices_[i], trend_rate(model_prices_[i], gen, sign),
           &out.model_price[i * months_], months_);
  for (std::size_t i = 0; i < cluster_prices_.size(); ++i)
    if (!cluster_prices_[i].is_flat())
      fill(cluster_prices_[i], trend_rate(cluster_prices_[i], gen, sign),
           &out.cluster_price[i * months_], months_);
}

Eigen::MatrixXd TrafficModel::weekly_multipliers(Xoshiro256pp& gen, double sign) const {
  const int nw = workloads();
  Eigen::MatrixXd m(nw, weeks_);
  Eigen::VectorXd z(nw), x = Eigen::VectorXd::Zero(nw);
  for (int k = 0; k < weeks_; ++k) {
    for (int w = 0; w < nw; ++w) z[w] = sign * standard_normal(gen);
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

void TrafficModel::sample_path(std::uint64_t seed, int p, bool antithetic,
                               TrafficPath& out) const {
  const std::uint64_t stream = antithetic ? std::uint64_t(p) & ~1ull : std::uint64_t(p);
  Xoshiro256pp gen = path_stream(seed, stream);
  // The parameters' stream: the same path's, of the seed's complement.
  Xoshiro256pp parameters = path_stream(~seed, stream);
  sample(gen, out, antithetic && (p & 1) ? -1.0 : 1.0, &parameters);
}

void TrafficModel::draw_parameters(Xoshiro256pp* gen, TrafficPath& out,
                                   double sign) const {
  out.rate_factor.assign(workloads_.size(), 1.0);
  out.log_growth_shift.assign(workloads_.size(), 0.0);
  if (!gen || !uncertain_) return;
  // A rate shock per workload, then a growth shock per workload, each set
  // correlated as the weekly shocks are (a short history's level and trend are
  // off together where the workloads' swings are); each at most 6 standard
  // deviations out; a growth at or below -0.99 is redrawn.
  const int nw = workloads();
  Eigen::VectorXd z(nw);
  auto shocks = [&] {
    for (int w = 0; w < nw; ++w) z[w] = sign * std::clamp(standard_normal(*gen), -6.0, 6.0);
    if (!independent_shocks_) z = (shock_factor_ * z).eval();
  };
  shocks();
  for (int w = 0; w < nw; ++w) {
    const double s = workloads_[w].rate_uncertainty;
    if (s > 0) out.rate_factor[w] = std::exp(s * z[w] - 0.5 * s * s);
  }
  shocks();
  for (int w = 0; w < nw; ++w) {
    const Workload& wl = workloads_[w];
    if (wl.growth_uncertainty <= 0) continue;
    double g = wl.growth_per_month + wl.growth_uncertainty * z[w];
    while (!(g > -0.99))
      g = wl.growth_per_month +
          wl.growth_uncertainty * sign * std::clamp(standard_normal(*gen), -6.0, 6.0);
    out.log_growth_shift[w] = std::log1p(g) - std::log1p(wl.growth_per_month);
  }
}

void TrafficModel::sample(Xoshiro256pp& gen, TrafficPath& out, double sign,
                          Xoshiro256pp* parameters) const {
  resize(out);
  draw_parameters(parameters, out, sign);
  const Eigen::MatrixXd weekly = weekly_multipliers(gen, sign);
  if (hourly_noise_) hourly_multipliers(gen, out, sign);
  // Workload by workload, each quantity for all hours in one pass (the draws of
  // a workload: burst starts, requests, input shocks, output shocks), so that the
  // arithmetic passes vectorize and the samplers run back to back.
  for (int w = 0; w < workloads(); ++w) {
    const Workload& wl = workloads_[w];
    // The rate and, factor by factor, its square root, which the Poisson sampler
    // needs: products of roots known in advance cost less than a square root.
    double* n = &out.requests[out.index(w, 0)];
    double* root = out.root_rate.data();
    const double* base = &base_rate_[out.index(w, 0)];
    const double* root_base = &root_base_rate_[out.index(w, 0)];
    for (int k = 0; k < weeks_; ++k) {
      const double m = weekly(w, k), root_m = std::sqrt(m);
      for (int t = k * kHoursPerWeek; t < std::min(hours_, (k + 1) * kHoursPerWeek); ++t) {
        n[t] = base[t] * m;
        root[t] = root_base[t] * root_m;
      }
    }
    if (wl.activity.switches()) active_days(gen, wl.activity, n, root);
    if (out.rate_factor[w] != 1.0 || out.log_growth_shift[w] != 0.0) {
      // This path's own rate and growth, within what the sampler can draw.
      const double f0 = out.rate_factor[w], shift = out.log_growth_shift[w];
      for (int t = 0; t < hours_; ++t) {
        const double f = f0 * std::exp(shift * t / double(kHoursPerMonth));
        n[t] = std::min(n[t] * f, limits::kMaxRequestsPerHour);
        root[t] = std::sqrt(n[t]);
      }
    }
    if (hourly_noise_) {
      const double* s = &out.hourly_factor[out.index(w, 0)];
      for (int t = 0; t < hours_; ++t) {
        n[t] *= s[t];
        root[t] *= std::sqrt(s[t]);
      }
    }
    if (wl.bursts.per_month > 0) {
      const double burst_p = wl.bursts.per_month / kHoursPerMonth;
      const double root_multiplier = std::sqrt(wl.bursts.multiplier);
      int burst_end = 0;  // bursts cover hours [start, burst_end)
      for (int t = 0; t < hours_; ++t) {
        if (uniform01(gen) < burst_p) burst_end = std::max(burst_end, t + wl.bursts.hours);
        if (t < burst_end) {
          n[t] *= wl.bursts.multiplier;
          root[t] *= root_multiplier;
        }
      }
    }
    poisson_fill(gen, n, root, n, hours_);  // lambda in, N out
    tokens(gen, n, wl.variable_input_mean(), wl.input.sd, sign,
           &out.variable_input[out.index(w, 0)]);
    tokens(gen, n, wl.output.mean, wl.output.sd, sign, &out.output[out.index(w, 0)]);
    std::array<double, limits::kMaxHorizonMonths> demand;  // of this workload
    sum_months(n, hours_, demand.data());
    for (int m = 0; m < months_; ++m) out.monthly_demand[m] += demand[m];
  }
  price_factors(&gen, out, sign);
  spot_outages(&gen, out);
}

void TrafficModel::active_days(Xoshiro256pp& gen, const Activity& a, double* n,
                               double* root) const {
  // One uniform a day: the first decides the stationary state, the rest the
  // moves between days; an on day carries the off days' share of the mean.
  const double leave_on = 1.0 / a.on_days, leave_off = 1.0 / a.off_days;
  const double on_factor = 1.0 / a.on_share(), root_factor = std::sqrt(on_factor);
  bool on = uniform01(gen) < a.on_share();
  for (int t0 = 0; t0 < hours_; t0 += 24) {
    if (t0 > 0) on = uniform01(gen) < (on ? 1.0 - leave_on : leave_off);
    for (int t = t0; t < std::min(hours_, t0 + 24); ++t) {
      if (!on) {
        n[t] = root[t] = 0.0;
      } else if (n[t] * on_factor < limits::kMaxRequestsPerHour) {
        n[t] *= on_factor;
        root[t] *= root_factor;
      } else {
        n[t] = limits::kMaxRequestsPerHour;
        root[t] = std::sqrt(n[t]);
      }
    }
  }
}

void TrafficModel::tokens(Xoshiro256pp& gen, const double* n, double mean, double sd,
                          double sign, double* out) const {
  // A total with no spread draws nothing: it is n * mean.
  if (sd == 0) {
    for (int t = 0; t < hours_; ++t) out[t] = n[t] * mean;
    return;
  }
  normal_fill(gen, out, hours_);
  const double signed_sd = sign * sd;
  for (int t = 0; t < hours_; ++t)
    out[t] = std::max(0.0, n[t] * mean + std::sqrt(n[t]) * signed_sd * out[t]);
}

}  // namespace breakeven
