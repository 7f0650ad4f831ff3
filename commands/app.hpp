#pragma once

namespace roomctl::cli {

// The real entry point: builds the command tree, parses, runs, and maps every error to the
// documented exit code (the only place that does).
int main(int argc, char** argv);

}  // namespace roomctl::cli
