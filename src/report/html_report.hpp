#pragma once
// The HTML report: one self-contained file (styles, data and the drawing
// script inlined; nothing is fetched when it is opened), a view of the JSON
// report plus the sampled per-call timeline. Light and dark mode, printable.
#include <iosfwd>

#include <nlohmann/json.hpp>

#include "report/timeline.hpp"

namespace callhook::report {

// `report` is to_json()'s document (with expectations and exit code).
void write_html(std::ostream& out, const nlohmann::ordered_json& report, const Timeline& timeline);

// The timeline as the page reads it (compact keys, times in ms since the
// run started).
nlohmann::ordered_json timeline_json(const Timeline& timeline);

// The page's style sheet and script (html_assets.cpp).
extern const char* const k_html_style;
extern const char* const k_html_script;

}  // namespace callhook::report
