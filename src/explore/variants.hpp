#pragma once
// The variants of one call's deliveries that `callhook explore` tries: pure
// functions of the call's planned events and the seed, so one seed always
// gives the same trials.
#include <cstdint>
#include <string>
#include <vector>

namespace callhook::explore {

// One step of a variant: the call's planned delivery number `delivery`
// (its place in the vendor's order), sent `copies` times with the same
// delivery id. Copies go one after another, each once the receiver answered
// the one before (the vendor's retry after a lost acknowledgement), or all
// at once when `together` (a retry sent while the first attempt is still
// unanswered). With `lost_ack` the receiver's 2xx is lost and the vendor
// sends the delivery again on its retry schedule. A step naming a delivery
// an earlier step sent is that delivery again (a duplicate after the call).
struct Step {
  std::size_t delivery = 0;
  int copies = 1;
  bool together = false;
  bool lost_ack = false;
  bool operator==(const Step&) const = default;
};

// A whole trial's sends, in order. `kind` says how it was made: "planned",
// "duplicate", "together", "after_call", "lost_ack", "order" or "drop".
struct Variant {
  std::string kind;
  std::vector<Step> steps;
};

struct VariantOptions {
  std::uint64_t seed = 1;
  bool drops = false;  // also variants that leave one delivery out
  // Deliveries whose acknowledgement may be lost (the vendor retries their
  // event), by planned number; the others get no lost_ack variant.
  std::vector<bool> lost_ack;
  // Calls with at most this many deliveries get every order; longer ones a
  // seeded sample that puts every pair of deliveries both ways round.
  std::size_t exhaustive_up_to = 6;
};

// The planned order, each delivery once.
Variant planned_variant(std::size_t deliveries);

// Every variant to try, in trial order: the planned order; each delivery
// sent twice back to back; each sent twice at once; each sent again after
// the call's last delivery; each with its acknowledgement lost (where
// options.lost_ack allows); the other orders; then (with drops) the planned
// order without each delivery. Variants that send the same events in the
// same order with the same copies are tried once: a script names events, so
// two deliveries of one event are told apart only by their order.
std::vector<Variant> make_variants(const std::vector<std::string>& events, const VariantOptions& options);

// The one form of steps that send the same: a delivery sent again right
// after itself, neither step together nor with a lost ack, is one step with
// more copies; `together` needs two copies or more.
std::vector<Step> canonical(std::vector<Step> steps);

// The events and copies a variant sends, as text ("a,b*2 together,c
// lost_ack,a again"): equal for variants the receiver cannot tell apart.
std::string variant_key(const std::vector<std::string>& events, const std::vector<Step>& steps);

// Orders of 0..n-1 that together put every ordered pair (a before b, for
// every a != b) at least once, seeded; the identity is not among them.
std::vector<std::vector<std::size_t>> pair_covering_orders(std::size_t n, std::uint64_t seed);

}  // namespace callhook::explore
