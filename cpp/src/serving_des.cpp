// The request-level replay of serving_des.hpp: one event loop over arrivals and
// iteration ends, replicas kept in a heap by when their iteration ends.
#include "breakeven/serving_des.hpp"

#include <cmath>
#include <deque>
#include <functional>
#include <limits>
#include <queue>
#include <string>
#include <utility>

#include "breakeven/errors.hpp"
#include "breakeven/limits.hpp"
#include "breakeven/rng.hpp"
#include "breakeven/samplers.hpp"

namespace breakeven {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

void check_count(std::size_t n) {
  if (n > std::size_t(limits::kMaxReplayRequests))
    throw OptionError("requests", "a replay serves at most " +
                                      std::to_string(limits::kMaxReplayRequests) +
                                      " requests (got " + std::to_string(n) + ")");
}

// Gamma(shape, 1) by Marsaglia and Tsang ("A simple method for generating gamma
// variables", ACM TOMS 26(3), 2000); a shape below 1 as Gamma(shape + 1) U^(1/shape).
double standard_gamma(Xoshiro256pp& gen, double shape) {
  if (shape < 1.0)
    return standard_gamma(gen, shape + 1.0) * std::pow(uniform01(gen), 1.0 / shape);
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    double x, v;
    do {
      x = standard_normal(gen);
      v = 1.0 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = uniform01(gen);
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

// A lognormal size with this mean and sd, rounded to a whole token, at least 1.
struct SizeSampler {
  double mu = 0.0, sigma = 0.0;
  SizeSampler(double mean, double sd) {
    sigma = std::sqrt(std::log1p((sd / mean) * (sd / mean)));
    mu = std::log(mean) - 0.5 * sigma * sigma;
  }
  double operator()(Xoshiro256pp& gen) const {
    const double x =
        sigma > 0 ? std::exp(mu + sigma * standard_normal(gen)) : std::exp(mu);
    return std::max(1.0, std::round(x));
  }
};

struct Replica {
  std::vector<int> admitted;                    // waiting for the next prefill
  std::vector<int> prefilling;                  // in the running prefill
  std::vector<std::pair<int, double>> running;  // request, output tokens left
  bool busy = false;
  int occupied() const {
    return int(admitted.size() + prefilling.size() + running.size());
  }
};

class Replay {
 public:
  Replay(const ServingProfile& server, const std::vector<ReplayRequest>& requests,
         std::uint64_t seed)
      : s_(server), req_(requests), replicas_(server.replicas), gen_(seed) {
    out_.ttft.assign(req_.size(), kInf);
    out_.tpot.assign(req_.size(), std::numeric_limits<double>::quiet_NaN());
    first_token_.assign(req_.size(), 0.0);
    for (int r = 0; r < server.replicas; ++r) free_at_.push_back(r), free_.push_back(r);
  }

  // Each event touches only the replicas it changes: O(log replicas) per event
  // besides the decode steps' work, so a large cluster replays as fast per request.
  ReplayTimes run() {
    std::size_t next = 0;
    while (true) {
      const double arrival = next < req_.size() ? req_[next].arrival_s : kInf;
      const double iteration_end = ends_.empty() ? kInf : ends_.top().first;
      if (arrival == kInf && iteration_end == kInf) break;
      if (arrival <= iteration_end) {
        now_ = arrival;
        waiting_.push_back(int(next++));
      } else {
        const int r = ends_.top().second;
        ends_.pop();
        now_ = iteration_end;
        finish_iteration(r);
        touched_.push_back(r);
      }
      dispatch();
      for (int r : touched_)
        if (!replicas_[r].busy) start_iteration(r);
      touched_.clear();
    }
    return std::move(out_);
  }

 private:
  // The head of the queue goes to a replica drawn at random among those with a
  // free slot (a random balancer: each replica sees Poisson arrivals while it has
  // room, as the fast model assumes).
  void dispatch() {
    while (!waiting_.empty() && !free_.empty()) {
      const int r = free_[std::size_t(uniform01(gen_) * double(free_.size()))];
      replicas_[r].admitted.push_back(waiting_.front());
      waiting_.pop_front();
      if (replicas_[r].occupied() == s_.max_batch) set_free(r, false);
      touched_.push_back(r);
    }
  }

  // free_ lists the replicas with a free slot; free_at_[r] is r's place in it, or -1.
  void set_free(int r, bool free) {
    if (free == (free_at_[r] >= 0)) return;
    if (free) {
      free_at_[r] = int(free_.size());
      free_.push_back(r);
    } else {
      const int last = free_.back();
      free_[free_at_[r]] = last;
      free_at_[last] = free_at_[r];
      free_.pop_back();
      free_at_[r] = -1;
    }
  }

  void start_iteration(int r) {
    Replica& rep = replicas_[r];
    double seconds = 0.0;
    if (!rep.admitted.empty()) {
      std::swap(rep.prefilling, rep.admitted);
      double tokens = 0.0;
      for (int i : rep.prefilling) tokens += req_[i].input_tokens;
      seconds = tokens / s_.prefill_tokens_per_s;
    } else if (!rep.running.empty()) {
      seconds = s_.step_seconds(double(rep.running.size()));
    } else {
      return;
    }
    rep.busy = true;
    ends_.emplace(now_ + seconds, r);
  }

  void finish_iteration(int r) {
    Replica& rep = replicas_[r];
    rep.busy = false;
    if (!rep.prefilling.empty()) {
      for (int i : rep.prefilling) {
        out_.ttft[i] = now_ - req_[i].arrival_s;
        first_token_[i] = now_;
        if (req_[i].output_tokens > 1)
          rep.running.emplace_back(i, req_[i].output_tokens - 1);
      }
      rep.prefilling.clear();
    } else {
      std::size_t kept = 0;
      for (auto& [i, left] : rep.running) {
        if (--left > 0) {
          rep.running[kept++] = {i, left};
        } else {
          out_.tpot[i] = (now_ - first_token_[i]) / (req_[i].output_tokens - 1);
        }
      }
      rep.running.resize(kept);
    }
    if (rep.occupied() < s_.max_batch) set_free(r, true);
  }

  const ServingProfile& s_;
  const std::vector<ReplayRequest>& req_;
  std::vector<Replica> replicas_;
  std::vector<int> free_, free_at_;
  std::vector<int> touched_;  // replicas the current event changed
  std::deque<int> waiting_;
  using End = std::pair<double, int>;  // iteration end, replica
  std::priority_queue<End, std::vector<End>, std::greater<End>> ends_;
  double now_ = 0.0;
  Xoshiro256pp gen_;
  std::vector<double> first_token_;
  ReplayTimes out_;
};

}  // namespace

std::vector<ReplayRequest> draw_hour(const RequestMix& mix, std::uint64_t seed) {
  mix.validate();
  // The hour's count is Poisson(requests_per_hour) or wider: refuse before drawing
  // when even its mean is past the limit.
  check_count(std::size_t(mix.requests_per_hour));
  Xoshiro256pp gen(seed);
  const SizeSampler input(mix.input_mean, mix.input_sd);
  const SizeSampler output(mix.output_mean, mix.output_sd);
  const double per_minute = mix.requests_per_hour / 60.0;
  const double excess = mix.minute_dispersion - 1.0;  // variance of the rate / its mean
  std::vector<ReplayRequest> hour;
  for (int minute = 0; minute < 60; ++minute) {
    double rate = per_minute;
    if (excess > 0 && per_minute > 0)
      rate = excess * standard_gamma(gen, per_minute / excess);
    if (rate <= 0) continue;
    double t = 60.0 * minute;
    while (true) {
      t += -std::log1p(-uniform01(gen)) * 60.0 / rate;
      if (t >= 60.0 * (minute + 1)) break;
      ReplayRequest r;
      r.arrival_s = t;
      r.input_tokens = input(gen);
      r.output_tokens = output(gen);
      hour.push_back(r);
      check_count(hour.size());
    }
  }
  return hour;
}

ReplayTimes replay_requests(const ServingProfile& server,
                            const std::vector<ReplayRequest>& requests,
                            std::uint64_t seed) {
  server.validate();
  check_count(requests.size());
  double last = -kInf;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const ReplayRequest& r = requests[i];
    const std::string where = "requests[" + std::to_string(i) + "]";
    if (!std::isfinite(r.arrival_s) || r.arrival_s < last)
      throw OptionError(where + ".arrival_s",
                        "must be finite and not before the previous request's");
    if (!(r.input_tokens >= 1 && r.input_tokens <= limits::kMaxTokensPerRequest))
      throw OptionError(where + ".input_tokens", "must be in [1, 1e8]");
    if (!(r.output_tokens >= 1 && r.output_tokens <= limits::kMaxTokensPerRequest) ||
        r.output_tokens != std::floor(r.output_tokens))
      throw OptionError(where + ".output_tokens", "must be a whole number in [1, 1e8]");
    last = r.arrival_s;
  }
  return Replay(server, requests, seed).run();
}

}  // namespace breakeven
