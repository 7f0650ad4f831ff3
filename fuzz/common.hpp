#pragma once
// What every roomctl fuzz target shares: the exception contract and the printing the CLI does
// with a result or an error.
//
// The contract (fuzz/README.md, "Exceptions"): parsers reject bad input by throwing
// roomctl::Error, which commands/app.cpp turns into a one-line message and an exit code.
// Anything else that escapes (nlohmann::json::type_error, std::out_of_range, ...) reaches
// app.cpp's last-resort `catch (const std::exception&)`, which prints "internal error: ..."
// — a bug. So the targets catch roomctl::Error only; any other exception escapes
// LLVMFuzzerTestOneInput, std::terminate aborts, and libFuzzer records a crash.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "roomctl/report/json.hpp"
#include "roomctl/report/printer.hpp"
#include "roomctl/report/rooms_view.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::fuzz {

// 2026-01-01T00:00:00Z: a fixed clock keeps every run reproducible.
inline constexpr std::int64_t k_now = 1767225600;

// Prints a result both ways the CLI can (text, and the --json document), into a sink.
inline void print_result(const nlohmann::json& doc, const std::string& text) {
    for (const bool as_json : {false, true}) {
        std::ostringstream out, err;
        report::Printer printer{out, err, report::OutputOptions{as_json, false, 0, false, false}};
        printer.result(doc, text);
    }
}

// What commands/app.cpp's report_error prints for a roomctl::Error, with and without --json.
inline void print_error(const std::string& command, const Error& e) {
    auto doc = report::envelope(command);
    doc["error"] = {{"message", e.what()}, {"exit_code", static_cast<int>(e.kind())}};
    std::ostringstream out, err;
    report::Printer printer{out, err, report::OutputOptions{true, false, 0, false, false}};
    printer.result(doc, "");
    printer.error(e.what());
}

// Runs `step`; a roomctl::Error is the documented rejection, anything else escapes.
template <class Step>
void expect_only_roomctl_errors(const std::string& command, Step&& step) {
    try {
        step();
    } catch (const Error& e) {
        print_error(command, e);
    }
}

// What `roomctl rooms list|create|participants` print of a parsed answer, both forms.
inline void print_rooms(const std::vector<media::ServerRoom>& rooms) {
    nlohmann::json doc = report::envelope("rooms list");
    doc["rooms"] = nlohmann::json::array();
    for (const auto& r : rooms) doc["rooms"].push_back(report::room_json(r));
    print_result(doc, report::render_rooms(rooms, report::TextStyle{false, k_now}));
}

inline void print_room(const media::ServerRoom& room) {
    nlohmann::json doc = report::envelope("rooms create");
    doc["room"] = report::room_json(room);
    print_result(doc, report::render_room(room, report::TextStyle{false, k_now}));
}

inline void print_participants(const std::vector<media::Participant>& ps) {
    nlohmann::json doc = report::envelope("rooms participants");
    doc["participants"] = nlohmann::json::array();
    for (const auto& p : ps) doc["participants"].push_back(report::participant_json(p));
    print_result(doc, report::render_participants(ps));
}

}  // namespace roomctl::fuzz
