#include "app.hpp"

int main(int argc, char** argv) { return roomctl::cli::main(argc, argv); }
