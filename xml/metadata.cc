// <metadata>: other applications' elements, kept verbatim and printed the way libvirt (libxml2)
// prints them: attributes in double quotes, two-space indentation, and every child carrying the
// namespace declaration it uses.
#include <map>

#include "xml/parse_context.h"

namespace hostnet::xml::detail {

namespace {

std::string escape(std::string_view s, bool attribute) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>' && !attribute) out += "&gt;";
    else if (c == '"' && attribute) out += "&quot;";
    else out.push_back(c);
  }
  return out;
}

std::string prefix_of(const char* name) {
  std::string n = name;
  auto colon = n.find(':');
  return colon == std::string::npos ? "" : n.substr(0, colon);
}

// Namespace declarations visible at e (nearest wins), from e up to the document.
std::map<std::string, std::string> declared(const XMLElement* e) {
  std::map<std::string, std::string> out;
  for (const tinyxml2::XMLNode* n = e; n && n->ToElement(); n = n->Parent()) {
    for (const auto* a = n->ToElement()->FirstAttribute(); a; a = a->Next()) {
      std::string name = a->Name();
      if (name.rfind("xmlns", 0) != 0) continue;
      std::string prefix = name.size() > 6 ? name.substr(6) : "";
      out.emplace(prefix, a->Value());
    }
  }
  return out;
}

void print(const XMLElement* e, int depth, bool top, std::string& out) {
  std::string pad(static_cast<size_t>(depth) * 2, ' ');
  out += pad + "<" + e->Name();
  if (top) {
    // libvirt re-homes the declaration of the element's own namespace onto it.
    std::string prefix = prefix_of(e->Name());
    auto ns = declared(e);
    if (!e->Attribute(prefix.empty() ? "xmlns" : ("xmlns:" + prefix).c_str()) && ns.count(prefix))
      out += " " + std::string(prefix.empty() ? "xmlns" : "xmlns:" + prefix) + "=\"" + escape(ns[prefix], true) + "\"";
  }
  for (const auto* a = e->FirstAttribute(); a; a = a->Next())
    out += std::string(" ") + a->Name() + "=\"" + escape(a->Value(), true) + "\"";
  const XMLElement* child = e->FirstChildElement();
  const char* text = e->GetText();
  if (!child && !text) {
    out += "/>\n";
    return;
  }
  if (!child) {
    out += ">" + escape(text, false) + "</" + e->Name() + ">\n";
    return;
  }
  out += ">\n";
  for (; child; child = child->NextSiblingElement()) print(child, depth + 1, false, out);
  out += pad + "</" + e->Name() + ">\n";
}

}  // namespace

bool is_hostnet_element(const XMLElement* e) {
  auto ns = declared(e);
  auto it = ns.find(prefix_of(e->Name()));
  return it != ns.end() && it->second == kHostnetNamespace;
}

std::string format_metadata(const XMLElement* metadata) {
  if (!metadata) return {};
  std::string out;
  for (const auto* c = metadata->FirstChildElement(); c; c = c->NextSiblingElement())
    if (!is_hostnet_element(c)) print(c, 2, true, out);
  return out;
}

}  // namespace hostnet::xml::detail
