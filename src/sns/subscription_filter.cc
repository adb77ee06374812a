#include "sns/subscription_filter.h"

#include <simdjson.h>

namespace wharf::sns {

Result<SubscriptionFilter, std::string> SubscriptionFilter::Of(const api::StringPairs& attributes) {
  for (const auto& [name, value] : attributes) {
    if (name != "FilterPolicy") continue;
    // Until the filter-policy engine is merged: syntax only (see the header).
    simdjson::dom::parser parser;
    simdjson::padded_string json(value);
    simdjson::dom::element root;
    if (parser.parse(json).get(root) != simdjson::SUCCESS ||
        root.type() != simdjson::dom::element_type::OBJECT) {
      return std::string("failed to parse JSON.");
    }
  }
  return SubscriptionFilter();
}

bool SubscriptionFilter::Matches(const Publication&) const {
  return true;  // no filtering until the filter-policy engine is merged (see the header)
}

}  // namespace wharf::sns
