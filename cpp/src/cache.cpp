#include "breakeven/cache.hpp"

#include <cmath>

#include "breakeven/limits.hpp"
#include "breakeven/quality.hpp"

namespace breakeven {
namespace {

// Below this P(T >= k) (relative to the first turn) a turn no longer matters.
constexpr double kNegligibleTurns = 1e-15;

}  // namespace

double Conversation::turns_at_least(int k) const {
  if (k <= 1) return 1.0;
  if (turn_cdf.empty()) return std::pow(1.0 - 1.0 / mean_turns, k - 1);
  // P(T >= k) = 1 - P(T <= k - 1), a step function of the points.
  double below = 0.0;
  for (const auto& [turns, share] : turn_cdf) {
    if (turns > k - 1) break;
    below = share;
  }
  return 1.0 - below;
}

int Conversation::last_turn() const {
  if (!turn_cdf.empty()) return turn_cdf.back().first;
  if (mean_turns <= 1.0) return 1;
  return 1 + int(std::ceil(std::log(kNegligibleTurns) / std::log1p(-1.0 / mean_turns)));
}

double Conversation::gap_within(double minutes) const {
  if (minutes <= 0) return 0.0;
  if (gap_cdf.empty()) return normal_cdf((std::log(minutes) - gap_mu) / gap_sigma);
  double x0 = 0.0, f0 = 0.0;
  for (const auto& [x, f] : gap_cdf) {
    if (minutes < x) return f0 + (f - f0) * (minutes - x0) / (x - x0);
    x0 = x;
    f0 = f;
  }
  return f0;  // flat after the last point
}

double Conversation::gap_capped_mean(double minutes) const {
  if (minutes <= 0) return 0.0;
  if (gap_cdf.empty()) {
    // E[min(G, c)] of a lognormal.
    const double z = (std::log(minutes) - gap_mu) / gap_sigma;
    return std::exp(gap_mu + 0.5 * gap_sigma * gap_sigma) * normal_cdf(z - gap_sigma) +
           minutes * (1.0 - normal_cdf(z));
  }
  // The integral of 1 - F from 0 to c, exact for a piecewise-linear F.
  double total = 0.0, x0 = 0.0, f0 = 0.0;
  for (const auto& [x, f] : gap_cdf) {
    const double x1 = std::min(x, minutes);
    const double f1 = f0 + (f - f0) * (x1 - x0) / (x - x0);
    total += (x1 - x0) * (1.0 - 0.5 * (f0 + f1));
    if (minutes <= x) return total;
    x0 = x;
    f0 = f;
  }
  return total + (minutes - x0) * (1.0 - f0);
}

double Conversation::expected_turns() const {
  if (turn_cdf.empty()) return mean_turns;
  double sum = 0.0;
  for (int k = 1; k <= last_turn(); ++k) sum += turns_at_least(k);
  return sum;
}

double Conversation::mean_earlier_turns() const {
  // A request is turn k with probability P(T >= k) / E[T]; it has k - 1 before it.
  if (turn_cdf.empty()) return mean_turns - 1.0;  // geometric: E[T(T-1)/2]/E[T]
  double sum = 0.0;
  for (int k = 2; k <= last_turn(); ++k) sum += (k - 1) * turns_at_least(k);
  return sum / expected_turns();
}

const CacheTier& cache_tier(const ApiModel& model, double ttl_minutes) {
  for (const CacheTier& tier : model.cache_tiers)
    if (tier.ttl_minutes == ttl_minutes) return tier;
  return model.cache_tiers.front();
}

ConversationCache::ConversationCache(const Workload& workload, double min_tokens,
                                     double block_tokens, double ttl_minutes) {
  if (!workload.conversation) return;
  const Conversation& c = *workload.conversation;
  const double prefix = workload.prefix_tokens;
  const double g = c.history_tokens_per_turn;
  const double fresh = workload.input.mean - prefix - g * c.mean_earlier_turns();
  const double block = block_tokens;
  const double within = c.gap_within(ttl_minutes);
  const double kept_if_next = c.gap_capped_mean(ttl_minutes);
  const double turns = c.expected_turns();
  const int last = c.last_turn();
  // Sums over turns of P(T >= k) times what turn k gives, divided by E[T] at the
  // end: the mean over requests.
  double reads = 0.0, read_tokens = 0.0, stored = 0.0;
  double at_least = 1.0;  // P(T >= k)
  for (int k = 1; k <= last; ++k) {
    const double next = c.turns_at_least(k + 1);
    const double prompt = prefix + (k - 1) * g + fresh;
    if (k >= 2) {
      const double previous = prompt - g;
      if (previous >= min_tokens && previous > 0) {
        reads += at_least * within;
        const double read = std::floor(previous / block) * block;
        read_tokens += at_least * within * std::max(0.0, read - prefix);
      }
    }
    if (prompt >= min_tokens && at_least > 0) {
      // Kept until the next turn (at most the TTL), or the TTL after the last.
      const double continues = next / at_least;
      stored += at_least * prompt *
                (continues * kept_if_next + (1.0 - continues) * ttl_minutes);
    }
    at_least = next;
  }
  hit_share = reads / turns;
  tokens_per_hit = reads > 0 ? read_tokens / reads : 0.0;
  if (c.tokens_per_read) tokens_per_hit = *c.tokens_per_read;
  stored_token_minutes = stored / turns;
}

namespace {

// A server caches any prompt, in blocks of this many tokens (vLLM's default).
constexpr double kServerBlockTokens = 16;

// Tokens a workload keeps in the cache at its base rate with entries kept T
// minutes after their last use: its shared prefixes and its conversations.
double kept_tokens(const Workload& w, double minutes) {
  const double per_minute = w.requests_per_hour / 60.0;
  double kept = w.prefix_variants * w.prefix_tokens *
                cache_hit_probability(w.requests_per_hour, w.prefix_variants, minutes);
  if (w.conversation)
    kept += per_minute *
            ConversationCache(w, 0, kServerBlockTokens, minutes).stored_token_minutes;
  return kept;
}

}  // namespace

double server_cache_minutes(const std::vector<const Workload*>& workloads,
                            double capacity_tokens) {
  auto kept = [&](double minutes) {
    double total = 0;
    for (const Workload* w : workloads) total += kept_tokens(*w, minutes);
    return total;
  };
  double lo = 0, hi = limits::kMaxCacheTtlMinutes;
  if (kept(hi) <= capacity_tokens) return hi;  // everything fits
  // Bisection: the tokens kept grow with T.
  for (int i = 0; i < 100 && hi - lo > 1e-9 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (kept(mid) <= capacity_tokens ? lo : hi) = mid;
  }
  return lo;
}

ServerReuse server_reuse(const Workload& w, double minutes) {
  ServerReuse out;
  const ConversationCache talk(w, 0, kServerBlockTokens, minutes);
  const CacheUse use = cache_use(w.requests_per_hour, w.requests_per_hour * w.variable_input_mean(),
                                 talk, w.prefix_tokens > 0, w.prefix_variants, minutes);
  if (w.requests_per_hour > 0) out.prefix_share = use.prefix_hits / w.requests_per_hour;
  const double variable = w.requests_per_hour * w.variable_input_mean();
  if (variable > 0) out.variable_share = use.cached_variable / variable;
  return out;
}

}  // namespace breakeven
