#pragma once
// The composition of a media-server client: chooses the configured provider and builds its
// client over the io module's transport. It sits above the providers and io/, so media/ keeps
// only the interface they implement. The returned object owns its HTTP connection; it is not
// thread-safe, so concurrent workers each call this once.

#include <atomic>
#include <memory>

#include "roomctl/config/settings.hpp"
#include "roomctl/http/rate_limiter.hpp"
#include "roomctl/http/transport.hpp"
#include "roomctl/media/server.hpp"
#include "roomctl/twilio/rest.hpp"

namespace roomctl::wiring {

// Throws Error(config) when the provider's settings are incomplete (require_media_server).
// `trace_headers` (-vv) adds redacted request and response headers to the trace. `cancel`
// (may be null; must outlive the client) aborts transfers and retry waits once set: calls
// then throw Error(interrupted) (http::TransportOptions::cancel, http::RetryPolicy::cancel).
// `limits` (may be null: unpaced) are the run's shared rate limiters (make_rate_limits); every
// client of one run must get the same ones, so that all workers share one budget.
std::unique_ptr<media::MediaServer> connect_media_server(const config::Settings& settings,
                                                         http::TraceSink trace = {},
                                                         bool trace_headers = false,
                                                         const std::atomic<bool>* cancel = nullptr,
                                                         const http::RateLimits* limits = nullptr);

// The rate limiters of one run from settings.rate (`--rate`, `[http] rate`) and the provider's
// defaults: Twilio's account quotas are 20 writes/s and 80 reads/s, limited apart (--rate sets
// the writes); LiveKit counts every API call against one limit, unlimited unless set (a
// self-hosted server has none; LiveKit Cloud's plans do). Every limiter slows down on 429
// (http/rate_limiter.hpp). Throws Error(config), or Error(usage) when the value came from the
// flag, for a rate that is not "N/s", "N/m", "N" or "0".
http::RateLimits make_rate_limits(const config::Settings& settings);

// Twilio REST endpoint from settings (API key preferred over the Auth Token).
twilio::Endpoint twilio_endpoint(const config::Settings& settings);

// Transport options derived from settings (timeouts, CA file) with the given trace sink and
// cancel flag (http::TransportOptions::cancel; pass &Context::interrupted so that SIGTERM
// aborts the transfer).
http::TransportOptions transport_options(const config::Settings& settings, http::TraceSink trace,
                                         bool trace_headers = false,
                                         const std::atomic<bool>* cancel = nullptr);

}  // namespace roomctl::wiring
