// The fast latency model of latency.hpp; docs/model.md "Serving latency" gives
// the derivation and what it leaves out.
#include "breakeven/latency.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

#include "breakeven/errors.hpp"
#include "breakeven/limits.hpp"
#include "breakeven/minute_limits.hpp"

namespace breakeven {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Equal-probability nodes of the output size: its quantiles at (k + 1/2) / K.
constexpr int kSizeNodes = 32;
constexpr int kMinuteNodes = 12;
// The highest load of a minute taken at its steady state (see minutes_of).
constexpr double kMinuteLoadCap = 0.95;

// The standard normal's quantile (Acklam's rational approximation, about 1e-9
// relative, refined by one Halley step).
double normal_quantile(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  double x;
  if (p < 0.02425) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p > 1 - 0.02425) {
    return -normal_quantile(1 - p);
  } else {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

// A lognormal size (mean, sd) at its equal-probability nodes, and its survival.
struct Lognormal {
  double mu = 0.0, sigma = 0.0;
  Lognormal(double mean, double sd) {
    sigma = mean > 0 ? std::sqrt(std::log1p((sd / mean) * (sd / mean))) : 0.0;
    mu = mean > 0 ? std::log(mean) - 0.5 * sigma * sigma : -kInf;
  }
  double survival(double x) const {
    if (x <= 0) return 1.0;
    if (sigma == 0) return std::exp(mu) > x ? 1.0 : 0.0;
    return 0.5 * std::erfc((std::log(x) - mu) / (sigma * std::sqrt(2.0)));
  }
  std::array<double, kSizeNodes> nodes(double scale) const {
    std::array<double, kSizeNodes> out;
    for (int k = 0; k < kSizeNodes; ++k)
      out[k] = scale * std::exp(mu + sigma * normal_quantile((k + 0.5) / kSizeNodes));
    return out;
  }
};

// The t with tail(t) = q, tail non-increasing: bracketing by doubling, then the
// Illinois variant of regula falsi on log tail - log q (near-linear in t where
// the tail is exponential) to 1e-7 relative; bisection if the secant stalls.
template <class Tail>
double tail_quantile(const Tail& tail, double q, double scale) {
  double lo = 0.0, hi = std::max(scale, 1e-9);
  double f_lo = std::log(tail(lo)) - std::log(q),
         f_hi = std::log(tail(hi)) - std::log(q);
  for (int i = 0; f_hi > 0; ++i) {
    if (i == 200) return kInf;
    lo = hi, f_lo = f_hi;
    hi *= 2.0;
    f_hi = std::log(tail(hi)) - std::log(q);
  }
  int side = 0;
  for (int i = 0; i < 100 && hi - lo > 1e-7 * hi; ++i) {
    double t = std::isfinite(f_lo) && std::isfinite(f_hi) && f_lo != f_hi
                   ? hi - f_hi * (hi - lo) / (f_hi - f_lo)
                   : 0.5 * (lo + hi);
    if (!(t > lo && t < hi)) t = 0.5 * (lo + hi);
    const double f = std::log(tail(t)) - std::log(q);
    if (f > 0) {
      lo = t, f_lo = f;
      if (side == -1) f_hi *= 0.5;
      side = -1;
    } else {
      hi = t, f_hi = f;
      if (side == 1) f_lo *= 0.5;
      side = 1;
    }
  }
  return hi;
}

// P(E > x) for x >= 0, E exponential with mean t (0: E = 0).
double decay(double t, double x) { return t > 0 ? std::exp(-x / t) : 0.0; }

// P(E1 + E2 > x) for independent exponentials with means t1, t2.
double hypoexp(double t1, double t2, double x) {
  if (x < 0) return 1.0;
  if (t1 <= 0) return decay(t2, x);
  if (t2 <= 0) return decay(t1, x);
  if (std::abs(t1 - t2) < 1e-9 * (t1 + t2)) return (1 + x / t1) * std::exp(-x / t1);
  return (t1 * std::exp(-x / t1) - t2 * std::exp(-x / t2)) / (t1 - t2);
}

}  // namespace

double ServingProfile::step_seconds(double batch) const {
  const double full = max_batch / decode_tokens_per_s;
  if (lone_tpot_s <= 0 || max_batch == 1) return full;
  return lone_tpot_s + (batch - 1.0) * (full - lone_tpot_s) / (max_batch - 1.0);
}

void ServingProfile::validate() const {
  auto rate = [](const char* name, double v) {
    if (!(v >= limits::kMinTokensPerSecond && v <= limits::kMaxTokensPerSecond))
      throw OptionError(std::string("serving.") + name,
                        "must be in [1e-6, 1e12] tokens/s");
  };
  rate("prefill_tokens_per_s", prefill_tokens_per_s);
  rate("decode_tokens_per_s", decode_tokens_per_s);
  if (max_batch < 1 || max_batch > limits::kMaxBatch)
    throw OptionError("serving.max_batch",
                      "must be in [1, " + std::to_string(limits::kMaxBatch) + "]");
  if (replicas < 1 || replicas > limits::kMaxGpus)
    throw OptionError("serving.replicas",
                      "must be in [1, " + std::to_string(limits::kMaxGpus) + "]");
  const double full = max_batch / decode_tokens_per_s;
  if (!(lone_tpot_s >= 0 && lone_tpot_s <= full))
    throw OptionError(
        "serving.lone_tpot_s",
        "must be in [0, max_batch / decode_tokens_per_s = " + std::to_string(full) +
            " s] (a full batch's step is the longest)");
}

void RequestMix::validate() const {
  if (!(requests_per_hour >= 0 && requests_per_hour <= limits::kMaxRequestsPerHour))
    throw OptionError("requests_per_hour", "must be in [0, 1e12]");
  auto size = [](const char* name, double mean, double sd, double least) {
    if (!(mean >= least && mean <= limits::kMaxTokensPerRequest))
      throw OptionError(std::string(name) + "_mean",
                        "must be in [" + std::to_string(int(least)) + ", 1e8] tokens");
    if (!(sd >= 0 && sd <= limits::kMaxTokenCv * mean))
      throw OptionError(std::string(name) + "_sd", "must be in [0, 100 x the mean]");
  };
  size("input", input_mean, input_sd, 1.0);
  size("output", output_mean, output_sd, 1.0);
  if (!(minute_dispersion >= 0 && minute_dispersion <= limits::kMaxMinuteDispersion))
    throw OptionError("minute_dispersion", "must be in [0, 1e6]");
}

double serving_capacity_per_hour(const ServingProfile& server, const RequestMix& mix) {
  const double seconds = mix.input_mean / server.prefill_tokens_per_s +
                         (mix.output_mean - 1.0) / server.decode_tokens_per_s;
  return server.replicas * 3600.0 / seconds;
}

namespace {

// One replica's state at a steady arrival rate (docs/model.md "Serving latency").
struct SteadyState {
  double load = 0.0;  // of the whole server, 1 at saturation
  // Where an admitted request finds its replica, and its mean wait there for the
  // running iteration and its batch mates' prefill: idle (no wait), in a decode
  // step, in a prefill.
  double idle = 1.0, decoding = 0.0, prefilling = 0.0;
  double decode_wait = 0.0, prefill_wait = 0.0;
  double slot_wait_p = 0.0;     // P(it waits for a free slot)
  double slot_wait_mean = 0.0;  // that wait's mean when it waits
  double tpot_mean = 0.0;
  double rate = 0.0;            // arrivals per second per replica
  double prefill_square = 0.0;  // E[prefill seconds^2] of one request
};

// The sizes' moments and nodes, fixed for a server and a mix.
struct Sizes {
  double prefill_mean, prefill_square, decode_tokens, decode_cv2;
  Lognormal prefill, output;
  std::array<double, kSizeNodes> output_nodes;
  Sizes(const ServingProfile& s, const RequestMix& m)
      : prefill_mean(m.input_mean / s.prefill_tokens_per_s),
        prefill_square((m.input_mean * m.input_mean + m.input_sd * m.input_sd) /
                       (s.prefill_tokens_per_s * s.prefill_tokens_per_s)),
        decode_tokens(m.output_mean - 1.0),
        decode_cv2(m.output_mean > 1 ? m.output_sd * m.output_sd /
                                           ((m.output_mean - 1) * (m.output_mean - 1))
                                     : 0.0),
        prefill(m.input_mean / s.prefill_tokens_per_s,
                m.input_sd / s.prefill_tokens_per_s),
        output(m.output_mean, m.output_sd),
        output_nodes(output.nodes(1.0)) {}
};

// 2x2 matrices for the full slots' quasi-birth-death process (row vectors). Not
// Eigen's: its products fuse multiply-adds where the target has FMA (x86-64-v3),
// and an SLO ceiling would then differ between the engine's builds.
struct M2 {
  double a, b, c, d;
  M2 operator*(const M2& o) const {
    return {a * o.a + b * o.c, a * o.b + b * o.d, c * o.a + d * o.c, c * o.b + d * o.d};
  }
  M2 operator+(const M2& o) const { return {a + o.a, b + o.b, c + o.c, d + o.d}; }
  M2 operator-(const M2& o) const { return {a - o.a, b - o.b, c - o.c, d - o.d}; }
};
M2 inverse(const M2& m) {
  const double det = m.a * m.d - m.b * m.c;
  return {m.d / det, -m.b / det, -m.c / det, m.a / det};
}
// R of a level-independent QBD (up A0, local A1, down A2): G by logarithmic
// reduction (Latouche and Ramaswami), R = A0 (-(A1 + A0 G))^-1.
M2 qbd_rate(const M2& A0, const M2& A1, const M2& A2) {
  const M2 I{1, 0, 0, 1}, N = inverse(M2{0, 0, 0, 0} - A1);
  M2 H = N * A0, L = N * A2, G = L, T = H;
  for (int i = 0; i < 60; ++i) {
    const M2 U = H * L + L * H, W = inverse(I - U);
    const M2 H2 = W * (H * H), L2 = W * (L * L);
    G = G + T * L2;
    T = T * H2;
    H = H2, L = L2;
    if (std::abs(1 - G.a - G.b) + std::abs(1 - G.c - G.d) < 1e-13) break;
  }
  return A0 * inverse(M2{0, 0, 0, 0} - (A1 + A0 * G));
}

SteadyState steady_state(const ServingProfile& s, const Sizes& z, double per_second,
                         double arrival_scv = 1.0) {
  SteadyState st;
  const double lambda = per_second / s.replicas;
  const double rho_p = lambda * z.prefill_mean;
  st.rate = lambda;
  st.prefill_square = z.prefill_square;
  st.load = lambda * (z.prefill_mean + z.decode_tokens / s.decode_tokens_per_s);
  if (st.load >= 1.0) return st;
  // A decode step of b sequences takes tau0 + kappa b (ServingProfile::step_seconds).
  const double kappa =
      s.lone_tpot_s > 0 && s.max_batch > 1
          ? (s.max_batch / s.decode_tokens_per_s - s.lone_tpot_s) / (s.max_batch - 1.0)
          : 0.0;
  const double tau0 = s.step_seconds(1.0) - kappa;
  auto step = [&](double batch) { return tau0 + kappa * std::max(1.0, batch); };
  if (per_second <= 0) {  // no one else: an idle replica, a lone sequence's steps
    st.tpot_mean = step(1.0);
    return st;
  }
  // Where an admitted request finds its replica: idle, in a decode step, or in a
  // prefill; it waits for that iteration to end and its batch mates' prefill. A
  // run of prefills starts with one request's and each next one holds the
  // arrivals during the last (mean rho_p times it), so the length-biased prefill
  // is E[sum X^2] / E[sum X] = E[S^2] / E[S] / (1 - rho_p^2).
  const double biased_prefill =
      z.prefill_square / z.prefill_mean / (1.0 - rho_p * rho_p);
  const double in_prefill = biased_prefill * (0.5 + rho_p);
  // Requests holding a slot, all replicas together (n): a birth-death chain with
  // arrivals at the server's rate and completions at done(n), the decode of a
  // request taking decode_tokens steps of step(batch) stretched by the prefills
  // between them. Those prefills are the completions' own (each one lets a request
  // in): with n held the share of time in prefill is done(n) E[S] / R, not the
  // arrivals' rho_p, and it rises toward the slots, so done(n) solves
  // done (E[S] + D / (1 - done E[S] / R)) = n, D = decode_tokens step(n / R).
  // Below the slots this is a symmetric (processor-sharing like) queue, whose
  // distribution does not depend on the output sizes' (Kelly). Each arrival's
  // prefill also stops its replica's decodes for S, which the mean rate counts but
  // not the spread: the chain's steps are scaled as its diffusion's, by (arrivals +
  // completions) / (their variance with the stops), 1 for the plain chain.
  const double slots = double(s.max_batch) * s.replicas;
  const double R = s.replicas;
  auto done = [&](double n) {
    const double a = z.prefill_mean, c = a / R,
                 D = z.decode_tokens * step(n / R), B = a + D + n * c;
    return 2.0 * n / (B + std::sqrt(B * B - 4.0 * a * c * n));
  };
  auto log_ratio = [&](double n) {  // log(w_n / w_(n-1))
    const double out = done(n);
    const double stop = n / R / (z.decode_tokens * step(n / R));  // a replica's decodes
    // each arrival adds itself and the completions its prefill holds up: 1 + S stop
    const double variance = per_second * (arrival_scv + 2.0 * z.prefill_mean * stop +
                                          z.prefill_square * stop * stop) +
                            out;
    return std::log(per_second / out) * (per_second + out) / variance;
  };
  // log of the chain's unnormalized weights, n = 0 .. slots - 1, stopped where
  // they are negligible past their peak
  double log_w = 0.0, peak = 0.0;
  double mass = 1.0, mass_n = 0.0, mass_step_n = 0.0;
  double prev = 1.0;  // weight relative to the running peak
  double below_slots = slots == 1 ? 1.0 : 0.0;  // weight at n = slots - 1
  for (double n = 1; n < slots; ++n) {
    log_w += log_ratio(n);
    if (log_w > peak) {  // rescale the sums to the new peak
      const double f = std::exp(peak - log_w);
      mass *= f, mass_n *= f, mass_step_n *= f;
      peak = log_w;
    }
    const double w = std::exp(log_w - peak);
    mass += w;
    mass_n += w * n;
    mass_step_n += w * n * step(n / R);
    if (n == slots - 1) below_slots = w;
    if (log_w < peak - 40.0 && w < prev) break;
    prev = w;
  }
  // Full slots, q requests queued: every stay there begins with a prefill that
  // stops its replica's decodes, so the state is (q, phase of the replica that
  // admitted last: prefill, then decode), the other replicas completing at a
  // replica's capacity, a quasi-birth-death process. Each completion lets the next
  // request in. Its level 0 is entered from n = slots - 1 by an arrival, in the
  // prefill phase.
  // A replica's decode of one request at a full batch, as a rate; with no tokens
  // to decode, a millionth of a prefill (the process needs a finite rate).
  const double finish = z.decode_tokens > 0 ? s.decode_tokens_per_s / z.decode_tokens
                                            : 1e6 / z.prefill_mean;
  const double capacity =
      R / (z.prefill_mean + z.decode_tokens / s.decode_tokens_per_s);
  const double per_replica = capacity / R;
  const double others = (R - 1.0) * per_replica, prefilled = 1.0 / z.prefill_mean;
  const double lam = per_second;
  const M2 up{lam, 0, 0, lam};
  const M2 local{-(lam + prefilled + others), prefilled, 0, -(lam + finish + others)};
  const M2 down{others, 0, finish, others};
  const M2 rate = qbd_rate(up, local, down);
  // level 0: pi0 (local + rate down) = -lam below_slots (1, 0)
  const M2 level0 = inverse(local + rate * down);
  const double p0_prefill = -lam * below_slots * level0.a,
               p0_decode = -lam * below_slots * level0.b;
  const M2 levels = inverse(M2{1, 0, 0, 1} - rate);
  const double at_slots = p0_prefill + p0_decode;
  const double full =
      p0_prefill * (levels.a + levels.b) + p0_decode * (levels.c + levels.d);
  // The process has Poisson arrivals. Past level 0 the queue is a diffusion whose
  // variance is lambda ca2 + capacity cd2 (ca2: the arrivals' squared cv; cd2: the
  // departures', each replica's a renewal of an exponential decode gap and a
  // prefill), so more variable arrivals scale the queue by that over its value
  // at ca2 = 1.
  const double gap = 1.0 / finish,
               prefill_var = z.prefill_square - z.prefill_mean * z.prefill_mean;
  const double departure_scv =
      (gap * gap + prefill_var) / ((gap + z.prefill_mean) * (gap + z.prefill_mean));
  const double queued = (full - at_slots) *
                        (lam * arrival_scv + capacity * departure_scv) /
                        (lam + capacity * departure_scv);
  const double held_full = at_slots + queued;
  mass += held_full;
  mass_n += held_full * slots;                           // those holding a slot
  mass_step_n += held_full * slots * step(s.max_batch);  // only `slots` of them decode
  const double batch = std::min(mass_n / mass / R, double(s.max_batch));
  const double step_seen = mass_n > 0 ? mass_step_n / mass_n : step(1.0);
  st.tpot_mean = step_seen / (1.0 - rho_p);
  // a replica's P(n = 0), as if replicas were independent
  const double empty = std::exp((-peak - std::log(mass)) / R);
  st.prefilling = rho_p;
  st.decoding = (1.0 - rho_p) * (1.0 - empty);
  st.idle = 1.0 - rho_p - st.decoding;
  st.decode_wait = 0.5 * step(batch) * (1.0 + rho_p);
  st.prefill_wait = in_prefill;
  // P(all slots taken) at an arrival; the wait then: exponential with the M/G/c
  // mean (Allen-Cunneen, Poisson arrivals), the full slots draining at the
  // server's capacity (each departure lets in a prefill) as regularly as the
  // output sizes.
  st.slot_wait_p = held_full / mass;
  st.slot_wait_mean = 0.5 * (arrival_scv + z.decode_cv2) / (capacity - per_second);
  return st;
}

// Gauss-Legendre nodes and weights on [0, 1] (Newton on the Legendre polynomial).
struct Legendre {
  static constexpr int kNodes = 24;
  std::array<double, kNodes> x, w;
  Legendre() {
    const int n = kNodes;
    for (int i = 0; i < n; ++i) {
      double z = std::cos(M_PI * (i + 0.75) / (n + 0.5)), dp = 1.0;
      for (int it = 0; it < 100; ++it) {
        double p0 = 1.0, p1 = z;
        for (int k = 2; k <= n; ++k) {
          const double p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
          p0 = p1, p1 = p2;
        }
        dp = n * (z * p1 - p0) / (z * z - 1.0);
        const double step = p1 / dp;
        z -= step;
        if (std::abs(step) < 1e-15) break;
      }
      x[i] = 0.5 * (1.0 - z);
      w[i] = 1.0 / ((1.0 - z * z) * dp * dp);
    }
  }
};
const Legendre kLegendre;

// P(S + Y > t) for the own prefill S (lognormal) and a wait Y with survival
// `survival` and density `density`: P(Y > t) + the integral over y < t of
// P(S > t - y) f(y), by Gauss-Legendre over where the wait's density lives.
template <class Survival, class Density>
double with_prefill(const Sizes& z, double t, double scale, const Survival& survival,
                    const Density& density) {
  const double span = std::min(t, 40.0 * scale);
  double sum = 0.0;
  for (int i = 0; i < Legendre::kNodes; ++i) {
    const double y = span * kLegendre.x[i];
    sum += kLegendre.w[i] * z.prefill.survival(t - y) * density(y);
  }
  return survival(t) + span * sum;
}

double exp_density(double t, double y) { return std::exp(-y / t) / t; }

// The density of E1 + E2, exponentials with means t1 != t2.
double hypoexp_density(double t1, double t2, double y) {
  if (std::abs(t1 - t2) < 1e-9 * (t1 + t2)) return y / (t1 * t1) * std::exp(-y / t1);
  return (std::exp(-y / t1) - std::exp(-y / t2)) / (t1 - t2);
}

// P(TTFT > t) at a steady state: (slot wait) + (iteration and batch mates) + own
// prefill; the slot wait an atom at 0 and an exponential, the next an atom at 0
// (idle) and an exponential for a decode step or a prefill found running; the
// prefill's lognormal integrated against each.
double ttft_tail(const SteadyState& st, const Sizes& z, double t) {
  if (st.load >= 1.0 || st.slot_wait_mean == kInf) return 1.0;
  const double c = st.slot_wait_p, tw = st.slot_wait_mean;
  const double td = st.decode_wait, tp = st.prefill_wait;
  double p = (1.0 - c) * st.idle * z.prefill.survival(t);
  auto one = [&](double weight, double m) {
    if (weight <= 0 || m <= 0) return;
    p += weight * with_prefill(
                      z, t, m, [&](double x) { return decay(m, x); },
                      [&](double y) { return exp_density(m, y); });
  };
  auto two = [&](double weight, double m1, double m2) {
    if (weight <= 0) return;
    if (m1 <= 0 || m2 <= 0) return one(weight, std::max(m1, m2));
    p += weight * with_prefill(
                      z, t, m1 + m2, [&](double x) { return hypoexp(m1, m2, x); },
                      [&](double y) { return hypoexp_density(m1, m2, y); });
  };
  one((1.0 - c) * st.decoding, td);
  one((1.0 - c) * st.prefilling, tp);
  one(c * st.idle, tw);
  two(c * st.decoding, tw, td);
  two(c * st.prefilling, tw, tp);
  return p;
}

// P(TPOT > t): the prefills that interrupt a request's decode are a compound
// Poisson sum, normal over its decode steps, at each output size node.
double tpot_tail(const SteadyState& st, const Sizes& z, double t) {
  if (st.load >= 1.0) return 1.0;
  double sum = 0.0;
  for (double out : z.output_nodes) {
    const double steps = std::max(1.0, out - 1.0);
    const double sd = std::sqrt(st.rate * st.tpot_mean * st.prefill_square / steps);
    sum += sd > 0 ? 0.5 * std::erfc((t - st.tpot_mean) / (sd * std::sqrt(2.0)))
                  : (t < st.tpot_mean ? 1.0 : 0.0);
  }
  return sum / kSizeNodes;
}

}  // namespace

namespace {

// The gamma quantile, P(a, x) = p: Wilson and Hilferty's cube-root normal as the
// start, then Newton steps on P (its derivative is the gamma density).
double gamma_quantile(double a, double p) {
  const double z = normal_quantile(p), c = 1.0 / (9.0 * a);
  double x =
      std::max(1e-300, a * std::pow(std::max(0.0, 1.0 - c + z * std::sqrt(c)), 3.0));
  for (int i = 0; i < 50; ++i) {
    const double density = std::exp((a - 1.0) * std::log(x) - x - log_gamma(a));
    if (!(density > 0)) break;
    const double next = std::max(0.5 * x, x - (gamma_p(a, x) - p) / density);
    if (std::abs(next - x) <= 1e-10 * x) return next;
    x = next;
  }
  return x;
}

// One minute's rate within the hour, the share of the hour's requests that come
// in such minutes, and how they are served.
struct Minute {
  double share = 0.0;
  SteadyState state;
  // Above capacity: the backlog grows through the minute, an arrival s seconds in
  // waits (rate - capacity) s / capacity, uniform up to overload_wait.
  double overload_wait = 0.0;
};

// The hour as minutes: the mix's own rate when arrivals are Poisson, else the
// equal-probability nodes of the minute rates' gamma (mean n / 60, variance
// (dispersion - 1) n / 60: requests per minute then have variance / mean =
// dispersion), weighted by their rate (a request is more likely in a busy minute).
std::vector<Minute> minutes_of(const ServingProfile& s, const Sizes& z,
                               const RequestMix& mix) {
  const double per_minute = mix.requests_per_hour / 60.0;
  const double excess = mix.minute_dispersion - 1.0;
  std::vector<double> rates;
  if (excess <= 0 || per_minute <= 0) {
    rates.push_back(per_minute);
  } else {
    for (int j = 0; j < kMinuteNodes; ++j)
      rates.push_back(excess *
                      gamma_quantile(per_minute / excess, (j + 0.5) / kMinuteNodes));
  }
  double total = 0.0;
  for (double r : rates) total += r;
  const double capacity =
      s.replicas / (z.prefill_mean + z.decode_tokens / s.decode_tokens_per_s);
  // The slot queue settles in about 1 / (capacity (1 - sqrt(load))^2) (M/M/1's
  // relaxation time): a minute much shorter than that, it sees the hour's mean
  // rate with arrivals as variable as the minute counts (squared cv = the
  // dispersion); much longer, each minute's own rate. Between the two, a minute's
  // rate counts with weight w = 60 / (60 + settling), the rest of its swing being
  // arrival variability. A busy minute's shifted rate is capped (a minute cannot
  // settle that near capacity; past capacity its backlog is overload_wait's), which
  // alone took the slot queue's mean load below the hour's: every minute's shift is
  // scaled by the share k of the busy minutes' shifts, up to capacity, the cap
  // left, and the swing not carried as a shift is variability.
  const double mean_rate = mix.requests_per_hour / 3600.0;
  const double root_load = std::sqrt(std::min(1.0, mean_rate / capacity));
  const double settling = 1.0 / (capacity * (1.0 - root_load) * (1.0 - root_load));
  const double unscaled = 60.0 / (60.0 + settling);
  const double top = std::max(mean_rate, kMinuteLoadCap * capacity);
  double intended = 0.0, kept = 0.0;
  for (double r : rates) {
    const double up = std::min(r / 60.0, capacity) - mean_rate;
    if (up <= 0) continue;
    intended += unscaled * up;
    kept += std::min(mean_rate + unscaled * up, top) - mean_rate;
  }
  const double w = intended > 0 ? unscaled * kept / intended : unscaled;
  std::vector<Minute> out;
  for (double r : rates) {
    Minute m;
    m.share = total > 0 ? r / total : 1.0 / rates.size();
    const double per_second = r / 60.0;
    if (excess <= 0) {
      m.state = steady_state(s, z, per_second);
    } else {
      // The iteration waits and TPOT follow the minute's rate at once; near or
      // above capacity they are those of full slots. The slot queue is the hour's.
      m.state = steady_state(s, z, std::min(per_second, kMinuteLoadCap * capacity));
      if (per_second > capacity) m.overload_wait = 60.0 * (per_second / capacity - 1.0);
      const SteadyState slots =
          steady_state(s, z, std::min(mean_rate + w * (per_second - mean_rate), top),
                       1.0 + excess * (1.0 - w));
      m.state.slot_wait_p = slots.slot_wait_p;
      m.state.slot_wait_mean = slots.slot_wait_mean;
    }
    out.push_back(m);
  }
  return out;
}

double minute_ttft_tail(const Minute& m, const Sizes& z, double t) {
  const double local = ttft_tail(m.state, z, t);
  if (m.overload_wait <= 0) return local;
  // the backlog's uniform wait before the (near-saturated) local one: bounded
  // below by each, so the larger of the two
  return std::max(local, std::clamp(1.0 - t / m.overload_wait, 0.0, 1.0));
}

}  // namespace

LatencyPercentiles serving_latency(const ServingProfile& server,
                                   const RequestMix& mix) {
  server.validate();
  mix.validate();
  const Sizes z(server, mix);
  LatencyPercentiles out;
  out.load = mix.requests_per_hour / serving_capacity_per_hour(server, mix);
  if (out.load >= 1.0) {
    out.ttft_p50 = out.ttft_p95 = out.tpot_p50 = out.tpot_p95 = kInf;
    return out;
  }
  const std::vector<Minute> minutes = minutes_of(server, z, mix);
  auto ttft = [&](double t) {
    double p = 0.0;
    for (const Minute& m : minutes) p += m.share * minute_ttft_tail(m, z, t);
    return p;
  };
  auto tpot = [&](double t) {
    double p = 0.0;
    for (const Minute& m : minutes) p += m.share * tpot_tail(m.state, z, t);
    return p;
  };
  out.ttft_p50 = tail_quantile(ttft, 0.5, z.prefill_mean);
  out.ttft_p95 = tail_quantile(ttft, 0.05, z.prefill_mean);
  const double tpot_scale = minutes.front().state.tpot_mean;
  out.tpot_p50 = tail_quantile(tpot, 0.5, tpot_scale);
  out.tpot_p95 = tail_quantile(tpot, 0.05, tpot_scale);
  return out;
}

}  // namespace breakeven

namespace breakeven {

// Loads 1 - (1 - i / N)^2: denser toward saturation, where the percentiles turn.
constexpr int kCurvePoints = 64;

LatencyCurve::LatencyCurve(const ServingProfile& server, const RequestMix& mix)
    : capacity_(serving_capacity_per_hour(server, mix)) {
  server.validate();
  mix.validate();
  RequestMix at = mix;
  for (int i = 0; i < kCurvePoints; ++i) {
    const double u = 1.0 - double(kCurvePoints - i) / kCurvePoints;
    const double load = 1.0 - (1.0 - u) * (1.0 - u);
    at.requests_per_hour = load * capacity_;
    loads_.push_back(load);
    points_.push_back(serving_latency(server, at));
  }
}

LatencyPercentiles LatencyCurve::at(double requests_per_hour) const {
  const double load = requests_per_hour / capacity_;
  LatencyPercentiles out;
  out.load = load;
  if (load >= loads_.back()) {  // past the last point: saturated
    out.ttft_p50 = out.ttft_p95 = out.tpot_p50 = out.tpot_p95 =
        std::numeric_limits<double>::infinity();
    return out;
  }
  const auto hi = std::upper_bound(loads_.begin(), loads_.end(), load) - loads_.begin();
  const LatencyPercentiles &a = points_[hi - 1], &b = points_[hi];
  const double w = (load - loads_[hi - 1]) / (loads_[hi] - loads_[hi - 1]);
  auto mix2 = [w](double x, double y) { return x + w * (y - x); };
  out.ttft_p50 = mix2(a.ttft_p50, b.ttft_p50);
  out.ttft_p95 = mix2(a.ttft_p95, b.ttft_p95);
  out.tpot_p50 = mix2(a.tpot_p50, b.tpot_p50);
  out.tpot_p95 = mix2(a.tpot_p95, b.tpot_p95);
  return out;
}

double LatencyCurve::max_rate_within(double ttft_p95_s, double tpot_p95_s) const {
  auto within = [&](const LatencyPercentiles& p) {
    return p.ttft_p95 <= ttft_p95_s && p.tpot_p95 <= tpot_p95_s;
  };
  if (!within(points_.front())) return 0.0;
  std::size_t i = 0;
  while (i + 1 < points_.size() && within(points_[i + 1])) ++i;
  if (i + 1 == points_.size()) return loads_.back() * capacity_;
  // between points i (within) and i + 1 (not): where the interpolated p95s cross
  // the limits, the earlier of the two
  const LatencyPercentiles &a = points_[i], &b = points_[i + 1];
  auto crossing = [](double x, double y, double limit) {
    return y > limit ? (limit - x) / (y - x) : 1.0;
  };
  const double w = std::min(crossing(a.ttft_p95, b.ttft_p95, ttft_p95_s),
                            crossing(a.tpot_p95, b.tpot_p95, tpot_p95_s));
  return (loads_[i] + w * (loads_[i + 1] - loads_[i])) * capacity_;
}

}  // namespace breakeven
