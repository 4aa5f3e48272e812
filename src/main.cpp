#include "cli/cli.hpp"
#include "cli/huge_pages.hpp"

int main(int argc, char** argv) {
  callhook::cli::restart_with_huge_pages(argc, argv);
  return callhook::cli::main_entry(argc, argv);
}
