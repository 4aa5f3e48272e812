#include "faults/body_edit.hpp"

#include "util/url.hpp"

namespace callhook::faults {

namespace {

// One "name=value" pair of an encoded parameter list.
struct Pair {
  std::size_t begin = 0;  // of the pair in the text
  std::size_t end = 0;    // one past the pair (at '&' or the text's end)
  std::string_view name;  // still encoded
  std::string_view value;
};

template <class Visit>
void for_each_pair(std::string_view text, Visit&& visit) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t amp = text.find('&', pos);
    if (amp == std::string_view::npos) amp = text.size();
    const std::string_view pair = text.substr(pos, amp - pos);
    if (!pair.empty()) {
      const std::size_t eq = pair.find('=');
      Pair p{pos, amp, pair.substr(0, eq), eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1)};
      if (!visit(p)) return;
    }
    pos = amp + 1;
  }
}

}  // namespace

BodyKind body_kind(const vendors::Delivery& delivery) {
  if (delivery.method == "GET") return BodyKind::Query;
  if (delivery.content_type.rfind("application/x-www-form-urlencoded", 0) == 0) return BodyKind::Form;
  return BodyKind::Json;
}

std::string form_set(std::string_view encoded, std::string_view name, std::string_view value) {
  const std::string pair = util::form_encode(name) + "=" + util::form_encode(value);
  std::optional<Pair> hit;
  for_each_pair(encoded, [&](const Pair& p) {
    if (util::form_decode(p.name) != name) return true;
    hit = p;
    return false;
  });
  if (!hit) {
    std::string out(encoded);
    if (!out.empty() && out.back() != '&') out += '&';
    return out + pair;
  }
  std::string out(encoded.substr(0, hit->begin));
  out += pair;
  out += encoded.substr(hit->end);
  return out;
}

std::string params_of(const vendors::Delivery& delivery) {
  if (body_kind(delivery) != BodyKind::Query) return delivery.body;
  const std::size_t q = delivery.url.find('?');
  return q == std::string::npos ? std::string() : delivery.url.substr(q + 1);
}

void set_params(vendors::Delivery& delivery, const std::string& params) {
  if (body_kind(delivery) != BodyKind::Query) {
    delivery.body = params;
    return;
  }
  const std::size_t q = delivery.url.find('?');
  if (q != std::string::npos) delivery.url.resize(q);
  if (!params.empty()) delivery.url += "?" + params;
}

}  // namespace callhook::faults
