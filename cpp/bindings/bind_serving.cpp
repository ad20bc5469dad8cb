// Serving latency (latency.hpp) and the request-level replay (serving_des.hpp):
// plain numbers in, numpy arrays out without a copy.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <string>

#include "bindings.hpp"
#include "breakeven/errors.hpp"
#include "breakeven/latency.hpp"
#include "breakeven/limits.hpp"
#include "breakeven/serving_des.hpp"

namespace py = pybind11;

namespace breakeven::python {
namespace {

ServingProfile profile(double prefill_tokens_per_s, double decode_tokens_per_s,
                       int max_batch, int replicas, double lone_tpot_s) {
  ServingProfile s;
  s.prefill_tokens_per_s = prefill_tokens_per_s;
  s.decode_tokens_per_s = decode_tokens_per_s;
  s.max_batch = max_batch;
  s.replicas = replicas;
  s.lone_tpot_s = lone_tpot_s;
  return s;
}

RequestMix request_mix(double requests_per_hour, double input_mean, double input_sd,
                       double output_mean, double output_sd, double minute_dispersion) {
  RequestMix m;
  m.requests_per_hour = requests_per_hour;
  m.input_mean = input_mean;
  m.input_sd = input_sd;
  m.output_mean = output_mean;
  m.output_sd = output_sd;
  m.minute_dispersion = minute_dispersion;
  return m;
}

py::dict percentiles(const LatencyPercentiles& p) {
  py::dict d;
  d["load"] = p.load;
  d["ttft_p50"] = p.ttft_p50;
  d["ttft_p95"] = p.ttft_p95;
  d["tpot_p50"] = p.tpot_p50;
  d["tpot_p95"] = p.tpot_p95;
  return d;
}

// A vector handed to numpy without a copy: the array owns it through a capsule.
py::array_t<double> owned(std::vector<double>&& data) {
  auto* kept = new std::vector<double>(std::move(data));
  py::capsule free_when_done(
      kept, [](void* v) { delete static_cast<std::vector<double>*>(v); });
  return py::array_t<double>(py::ssize_t(kept->size()), kept->data(), free_when_done);
}

using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;

}  // namespace

void register_serving(py::module_& m) {
  m.def(
      "serving_latency",
      [](double prefill, double decode, int max_batch, int replicas, double lone_tpot_s,
         double requests_per_hour, double input_mean, double input_sd,
         double output_mean, double output_sd, double minute_dispersion) {
        return percentiles(
            serving_latency(profile(prefill, decode, max_batch, replicas, lone_tpot_s),
                            request_mix(requests_per_hour, input_mean, input_sd,
                                        output_mean, output_sd, minute_dispersion)));
      },
      py::arg("prefill_tokens_per_s"), py::arg("decode_tokens_per_s"),
      py::arg("max_batch"), py::arg("replicas"), py::arg("lone_tpot_s"),
      py::arg("requests_per_hour"), py::arg("input_mean"), py::arg("input_sd"),
      py::arg("output_mean"), py::arg("output_sd"), py::arg("minute_dispersion"));

  m.def(
      "serving_capacity_per_hour",
      [](double prefill, double decode, double input_mean, double output_mean) {
        ServingProfile s = profile(prefill, decode, 1, 1, 0.0);
        s.validate();
        RequestMix mix = request_mix(0.0, input_mean, 0.0, output_mean, 0.0, 1.0);
        mix.validate();
        return serving_capacity_per_hour(s, mix);
      },
      py::arg("prefill_tokens_per_s"), py::arg("decode_tokens_per_s"),
      py::arg("input_mean"), py::arg("output_mean"),
      "Requests per hour one replica completes at a full batch.");

  m.def(
      "draw_hour",
      [](double requests_per_hour, double input_mean, double input_sd,
         double output_mean, double output_sd, double minute_dispersion,
         std::uint64_t seed) {
        std::vector<ReplayRequest> hour;
        {
          py::gil_scoped_release unlocked;
          hour = draw_hour(request_mix(requests_per_hour, input_mean, input_sd,
                                       output_mean, output_sd, minute_dispersion),
                           seed);
        }
        std::vector<double> at(hour.size()), in(hour.size()), out(hour.size());
        for (std::size_t i = 0; i < hour.size(); ++i)
          at[i] = hour[i].arrival_s, in[i] = hour[i].input_tokens,
          out[i] = hour[i].output_tokens;
        return py::make_tuple(owned(std::move(at)), owned(std::move(in)),
                              owned(std::move(out)));
      },
      py::arg("requests_per_hour"), py::arg("input_mean"), py::arg("input_sd"),
      py::arg("output_mean"), py::arg("output_sd"), py::arg("minute_dispersion"),
      py::arg("seed"));

  m.def(
      "replay_hour",
      [](const Doubles& arrival_s, const Doubles& input_tokens,
         const Doubles& output_tokens, double prefill, double decode, int max_batch,
         int replicas, double lone_tpot_s, std::uint64_t seed) {
        const py::ssize_t n = arrival_s.size();
        if (arrival_s.ndim() != 1 || input_tokens.ndim() != 1 ||
            output_tokens.ndim() != 1 || input_tokens.size() != n ||
            output_tokens.size() != n)
          throw OptionError("requests",
                            "arrival_s, input_tokens and output_tokens must be "
                            "one-dimensional and of one length");
        if (n > limits::kMaxReplayRequests)
          throw OptionError("requests", "a replay serves at most " +
                                            std::to_string(limits::kMaxReplayRequests) +
                                            " requests (got " + std::to_string(n) +
                                            ")");
        std::vector<ReplayRequest> requests(n);
        const double *a = arrival_s.data(), *in = input_tokens.data(),
                     *out = output_tokens.data();
        for (py::ssize_t i = 0; i < n; ++i) requests[i] = {a[i], in[i], out[i]};
        ReplayTimes times;
        {
          py::gil_scoped_release unlocked;
          times = replay_requests(
              profile(prefill, decode, max_batch, replicas, lone_tpot_s), requests,
              seed);
        }
        return py::make_tuple(owned(std::move(times.ttft)),
                              owned(std::move(times.tpot)));
      },
      py::arg("arrival_s"), py::arg("input_tokens"), py::arg("output_tokens"),
      py::arg("prefill_tokens_per_s"), py::arg("decode_tokens_per_s"),
      py::arg("max_batch"), py::arg("replicas"), py::arg("lone_tpot_s"),
      py::arg("seed"));
}

}  // namespace breakeven::python
