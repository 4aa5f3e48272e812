#include "util/ids.hpp"

#include <cstddef>

namespace callhook::util {
namespace {

constexpr char k_hex[] = "0123456789abcdef";
constexpr char k_base62[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// The alphabet's size is a constant (N - 1: the literal's NUL aside), so the
// modulo per character compiles to a multiplication, not a division; ids
// are drawn for every call and delivery.
template <std::size_t N>
void append_drawn(std::string& out, Rng& rng, std::size_t n, const char (&alphabet)[N]) {
  constexpr std::size_t size = N - 1;
  const std::size_t from = out.size();
  out.resize(from + n);
  // A char written through a pointer may alias any object, the generator's
  // state included, so drawing from `rng` itself would reload and store that
  // state around every character; a local copy stays in registers.
  Rng local = rng;
  char* to = out.data() + from;
  for (std::size_t i = 0; i < n; ++i) to[i] = alphabet[local.next() % size];
  rng = local;
}

template <std::size_t N>
std::string draw(Rng& rng, std::size_t n, const char (&alphabet)[N]) {
  std::string out;
  append_drawn(out, rng, n, alphabet);
  return out;
}

std::string digits(Rng& rng, std::size_t n) { return draw(rng, n, "0123456789"); }

}  // namespace

std::string hex_id(Rng& rng, std::size_t n) { return draw(rng, n, k_hex); }

void append_hex_id(std::string& out, Rng& rng, std::size_t n) { append_drawn(out, rng, n, k_hex); }

std::string lower_alnum_id(Rng& rng, std::size_t n) { return draw(rng, n, "abcdefghijklmnopqrstuvwxyz0123456789"); }

std::string base62_id(Rng& rng, std::size_t n) { return draw(rng, n, k_base62); }

void append_base62_id(std::string& out, Rng& rng, std::size_t n) { append_drawn(out, rng, n, k_base62); }

std::string uuid4(Rng& rng) {
  std::string h = hex_id(rng, 32);
  h[12] = '4';
  h[16] = "89ab"[rng.next() % 4];
  return h.substr(0, 8) + '-' + h.substr(8, 4) + '-' + h.substr(12, 4) + '-' + h.substr(16, 4) + '-' + h.substr(20);
}

std::string e164(Rng& rng, const std::string& country) {
  // Numbering plans: NANP area and exchange codes never start with 0 or 1;
  // UK mobiles are 7xxx; Australian mobiles 4xx; Indian mobiles 6-9.
  if (country == "44") return "+447" + digits(rng, 9);
  if (country == "61") return "+614" + digits(rng, 8);
  if (country == "91") return "+91" + std::string(1, "6789"[rng.next() % 4]) + digits(rng, 9);
  const auto first = [&] { return std::string(1, "23456789"[rng.next() % 8]); };
  return "+" + (country.empty() ? std::string("1") : country) + first() + digits(rng, 2) + first() + digits(rng, 6);
}

}  // namespace callhook::util
