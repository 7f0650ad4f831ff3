#pragma once
// `roomctl participants list|get|remove|update|mute` (as `lk room participants ...`), and what
// `rooms` shares with it: a room looked up by name that must exist.

#include <CLI/CLI.hpp>
#include <string>

#include "context.hpp"
#include "roomctl/media/server.hpp"

namespace roomctl::cli {

// The in-progress room named `name` (or, as a second try, whose SID is `name`). Throws
// Error(runtime) "room NAME does not exist (...)" when the server has none: a lookup that finds
// nothing is an error, not an empty answer.
media::ServerRoom require_room(media::MediaServer& server, const std::string& name);

// `participants list ROOM` (also `rooms participants ROOM`): `command` names the document.
int run_participants_list(const std::string& room, const std::string& command, Context& ctx);

// Adds the `participants` command group under `root`.
void register_participants(CLI::App& root, Context& ctx);

}  // namespace roomctl::cli
