#include "report/html_report.hpp"

#include <cmath>
#include <ostream>
#include <string>

#include "report/escape.hpp"

namespace callhook::report {
namespace {

using OrderedJson = nlohmann::ordered_json;

OrderedJson ms_value(std::int64_t us) { return std::round(static_cast<double>(us)) / 1000.0; }

// JSON inside <script>: "</" would end the element early.
std::string script_safe(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (std::size_t i = 0; i < json.size(); ++i) {
    if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/') {
      out += "<\\/";
      ++i;
    } else {
      out += json[i];
    }
  }
  return out;
}

OrderedJson strings(const std::vector<std::string>& list) {
  OrderedJson out = OrderedJson::array();
  for (const std::string& item : list) out.push_back(valid_utf8(item));
  return out;
}

// Keys with their default value (0, "", false, []) are left out: the page
// fills them in, and the file stays small.
void put(OrderedJson& object, const char* key, OrderedJson value) {
  const bool empty = value.is_null() || (value.is_boolean() && !value.get<bool>()) ||
                     (value.is_number_integer() && value.get<std::int64_t>() == 0) ||
                     (value.is_string() && value.get_ref<const std::string&>().empty()) ||
                     (value.is_array() && value.empty());
  if (!empty) object[key] = std::move(value);
}

OrderedJson attempt_json(const TimelineAttempt& a) {
  OrderedJson headers = OrderedJson::array();
  for (const auto& header : a.headers)
    headers.push_back(OrderedJson::array({valid_utf8(header.name), valid_utf8(header.value)}));
  OrderedJson out{{"n", a.number}, {"s", ms_value(a.sent_us)}, {"l", ms_value(a.latency_us)}};
  put(out, "st", a.status);
  put(out, "er", a.error);
  put(out, "v", a.verdict);
  put(out, "rt", a.will_retry);
  put(out, "h", std::move(headers));
  put(out, "resp", valid_utf8(a.response));
  return out;
}

OrderedJson delivery_json(const TimelineDelivery& d) {
  OrderedJson attempts = OrderedJson::array();
  for (const TimelineAttempt& a : d.attempts) attempts.push_back(attempt_json(a));
  OrderedJson out{{"k", valid_utf8(d.key)},
                  {"e", valid_utf8(d.event)},
                  {"r", d.result},
                  {"pm", d.planned_ms},
                  {"at", ms_value(d.at_us)}};
  put(out, "c", d.copy);
  put(out, "why", valid_utf8(d.reason));
  put(out, "f", strings(d.faults));
  put(out, "o", d.out_of_order);
  put(out, "m", valid_utf8(d.method));
  put(out, "u", valid_utf8(d.url));
  put(out, "b", valid_utf8(d.body));
  put(out, "bc", d.body_cut);
  put(out, "t", std::move(attempts));
  return out;
}

OrderedJson probe_record_json(const journal::ProbeRecord& p) {
  OrderedJson out{{"s", ms_value(p.wall_offset_us)}, {"l", ms_value(p.wall_latency_us)}, {"ok", p.passed},
                  {"m", valid_utf8(p.method)},       {"u", valid_utf8(p.url)},           {"n", p.polls}};
  put(out, "msg", valid_utf8(p.message));
  put(out, "st", p.status);
  put(out, "er", valid_utf8(p.error));
  put(out, "a", valid_utf8(p.answer));
  return out;
}

}  // namespace

OrderedJson timeline_json(const Timeline& timeline) {
  OrderedJson calls = OrderedJson::array();
  for (const TimelineCall& call : timeline.calls) {
    OrderedJson deliveries = OrderedJson::array();
    for (const TimelineDelivery& d : call.deliveries) deliveries.push_back(delivery_json(d));
    OrderedJson entry{{"id", valid_utf8(call.id)}, {"v", valid_utf8(call.vendor)}};
    put(entry, "a", strings(call.anomalies));
    put(entry, "fi", strings(call.findings));
    OrderedJson probes = OrderedJson::array();
    for (const journal::ProbeRecord& p : call.probes) probes.push_back(probe_record_json(p));
    put(entry, "p", std::move(probes));
    entry["d"] = std::move(deliveries);
    calls.push_back(std::move(entry));
  }
  return OrderedJson{{"total_calls", timeline.total_calls},         {"anomalous_calls", timeline.anomalous_calls},
                     {"anomalous_shown", timeline.anomalous_shown}, {"normal_shown", timeline.normal_shown},
                     {"sample_seed", timeline.sample_seed},         {"calls", std::move(calls)}};
}

void write_html(std::ostream& out, const OrderedJson& report, const Timeline& timeline) {
  const std::string title = "callhook report: " + report["run"].value("scenario", std::string("run"));
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<meta name=\"color-scheme\" content=\"light dark\">\n"
      << "<title>" << xml_escape(title) << "</title>\n<style>" << k_html_style << "</style>\n</head>\n"
      << "<body data-ready=\"0\">\n<header><h1>" << xml_escape(title) << "</h1>"
      << "<p id=\"page-errors\" data-errors=\"0\"></p></header>\n<main id=\"main\"></main>\n"
      << "<script type=\"application/json\" id=\"report-data\">"
      << script_safe(report.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) << "</script>\n"
      << "<script type=\"application/json\" id=\"timeline-data\">"
      << script_safe(timeline_json(timeline).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      << "</script>\n<script>" << k_html_script << "</script>\n</body>\n</html>\n";
}

}  // namespace callhook::report
