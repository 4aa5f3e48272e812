#include "cli/cli.hpp"

int main(int argc, char** argv) { return callhook::cli::main_entry(argc, argv); }
