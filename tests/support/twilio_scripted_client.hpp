#pragma once
// A Twilio Video client over a ScriptedTransport (scripted_transport.hpp), for the tests and
// fuzz targets that play Twilio's answers: fixed test credentials, and no write pacing (the
// scripted server answers at once, and pacing would only slow the tests down).

#include <chrono>

#include "roomctl/twilio/video_client.hpp"
#include "support/scripted_transport.hpp"

namespace roomctl::support {

inline twilio::VideoClient scripted_twilio_client(ScriptedTransport& transport) {
    twilio::Endpoint e{"https://video.twilio.com",
                       "AC0123456789abcdef0123456789abcdef",
                       "SK89abcdef0123456789abcdef01234567",
                       "secret",
                       true,
                       std::chrono::milliseconds{1000}};
    twilio::RetryPolicy policy;
    return twilio::VideoClient{transport, e, policy};
}

}  // namespace roomctl::support
