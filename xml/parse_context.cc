#include "xml/parse_context.h"

#include <cerrno>
#include <cstdlib>
#include <sys/socket.h>

#include "xml/ip_address.h"

namespace hostnet::xml::detail {

Error element_error(const XMLElement* e, std::string_view attr_name, std::string_view reason) {
  std::string where = "line " + std::to_string(e->GetLineNum()) + ": <" + e->Name();
  if (!attr_name.empty()) {
    where += " ";
    where += attr_name;
    if (const char* v = e->Attribute(std::string(attr_name).c_str())) {
      where += "='";
      where += v;
      where += "'";
    }
  }
  where += ">: ";
  where += reason;
  return Error{Errc::InvalidXML, where};
}

std::string attr(const XMLElement* e, const char* name) {
  const char* v = e->Attribute(name);
  return v ? v : "";
}

bool has_attr(const XMLElement* e, const char* name) { return e->Attribute(name) != nullptr; }

std::string text_of(const XMLElement* e) {
  const char* t = e ? e->GetText() : nullptr;
  return t ? t : "";
}

Result<std::optional<bool>> yes_no(const XMLElement* e, const char* name) {
  const char* v = e->Attribute(name);
  if (!v) return std::optional<bool>();
  std::string s = v;
  if (s == "yes") return std::optional<bool>(true);
  if (s == "no") return std::optional<bool>(false);
  return bad(e, name, "must be 'yes' or 'no'");
}

Result<std::optional<unsigned long long>> number(const XMLElement* e, const char* name, unsigned long long min,
                                                 unsigned long long max) {
  const char* v = e->Attribute(name);
  if (!v) return std::optional<unsigned long long>();
  std::string s = v;
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
    return bad(e, name, "not a non-negative integer");
  errno = 0;
  unsigned long long n = std::strtoull(s.c_str(), nullptr, 10);
  if (errno == ERANGE || n < min || n > max)
    return bad(e, name, "out of range " + std::to_string(min) + ".." + std::to_string(max));
  return std::optional<unsigned long long>(n);
}

Result<void> check_plain_text(const XMLElement* e, const char* field, std::string_view value) {
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f)
      return bad(e, has_attr(e, field) ? field : "",
                 std::string(field) + " contains a control character (newline, tab, ...), which is not allowed");
  return {};
}

std::vector<const XMLElement*> children(const XMLElement* parent, const char* name) {
  std::vector<const XMLElement*> out;
  for (auto* c = parent->FirstChildElement(name); c; c = c->NextSiblingElement(name)) out.push_back(c);
  return out;
}

Result<IpAddress> ip_attr(const XMLElement* e, const char* name, int family) {
  const char* v = e->Attribute(name);
  if (!v) return bad(e, "", std::string("missing required attribute '") + name + "'");
  auto a = parse_ip(v, family);
  if (!a)
    return bad(e, name, family == AF_INET ? "not an IPv4 address" : family == AF_INET6 ? "not an IPv6 address"
                                                                                        : "not an IP address");
  return *a;
}

}  // namespace hostnet::xml::detail
