// Network XML for unit tests that need a definition to work on: parsed, and a test failure (with
// the parser's message) when it does not parse.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "xml/network_xml.h"

namespace hostnet::testing {

inline xml::NetworkDef parse_valid(const std::string& text) {
  auto def = xml::parse_network(text);
  EXPECT_TRUE(def) << def.error().message;
  return def ? *def : xml::NetworkDef{};
}

}  // namespace hostnet::testing
