#pragma once
// Profiles of other tools, offered read-only and read in place each time (never copied):
// - "lk:NAME": a project of the LiveKit CLI, ~/.livekit/cli-config.yaml
//   (default_project: NAME; projects: [{name, url, api_key, api_secret}]). It gives
//   provider livekit, livekit.url, livekit.api_key and livekit.api_secret.
// - "twilio:NAME": a profile of twilio-cli, ~/.twilio-cli/config.json
//   ({"profiles": {NAME: {"accountSid", "apiKey", "region", ...}}, "activeProfile": NAME}).
//   It gives provider twilio, twilio.account_sid and, when recorded, twilio.api_key. The
//   API key's secret lives in the OS keychain, which roomctl does not read: it must come from
//   TWILIO_API_SECRET or --api-secret-file (the secret may come from another layer).
// Selected with --profile lk:NAME / ROOMCTL_PROFILE=twilio:NAME, they act as a profile over
// the config file's top level (when there is a config file): they replace the provider's
// whole credential set, as a [profiles.NAME] does. The files are subject to the same
// permission rules as the config file (refused when others can write them, a warning when
// others can read a secret in them).

#include <map>
#include <string>
#include <vector>

#include "roomctl/config/provider.hpp"

namespace roomctl::config {

struct ExternalProfile {
    std::string name;  // "lk:staging", "twilio:default"
    std::string file;  // the file it is read from
    Provider provider = Provider::livekit;
    bool is_default = false;  // the tool's own default (default_project / activeProfile)
    std::string url;          // LiveKit URL (lk); empty for twilio
    std::string api_key;      // LiveKit API key, or Twilio API key SID when recorded
    std::string account_sid;  // Twilio Account SID
    bool has_secret = false;  // the profile itself supplies the secret (lk)
};

// Whether `profile` names another tool's profile ("lk:..." or "twilio:...").
bool is_external_profile(const std::string& profile);

// The profiles found in the two files under $HOME (`env`), lk's first; a missing file gives
// none. Throws Error(config) naming the file when one exists but cannot be parsed.
std::vector<ExternalProfile> list_external_profiles(const std::map<std::string, std::string>& env);

// The settings one external profile gives, as settings keys ("livekit.url") -> text, with
// its file. Secrets (lk's api_secret) are included: the caller must not print them. Throws
// Error(config) naming the file and the profiles it has when `profile` is not there, or the
// file is missing, unparsable or writable by others.
struct ExternalValues {
    std::string file;
    std::map<std::string, std::string> values;
    bool holds_secret = false;
};
ExternalValues read_external_profile(const std::string& profile,
                                     const std::map<std::string, std::string>& env);

}  // namespace roomctl::config
