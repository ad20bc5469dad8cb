// A cluster's `serving:` field against the serving catalog: validation and
// resolution (docs/model.md "Serving catalog and memory fit").
#pragma once

#include "breakeven/scenario.hpp"
#include "breakeven/serving.hpp"
#include "json_field.hpp"

namespace breakeven::detail {

// `serving: MODEL/GPU/PRECISION[/ENGINE]` or {model, gpu, precision, engine,
// concurrency, gpus_per_replica, curve, source}, for requests of context_tokens
// (input + output) each. Fails with the memory needed and available when no
// replica of at most 8 GPUs holds the model and its KV cache.
Serving resolve_serving(const Field& f, const ServingCatalog& catalog, double context_tokens);

// A cluster with replicas of r GPUs asks for whole replicas: gpus (min, max),
// commitment.gpus and spot.gpus are multiples of r.
void check_whole_replicas(const Field& cluster, const Cluster& c);

}  // namespace breakeven::detail
