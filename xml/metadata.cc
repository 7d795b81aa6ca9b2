// <metadata> as libvirt keeps and prints it. libvirt copies the element (libxml2's xmlCopyNode),
// drops every child without a namespace or with the namespace of an earlier child
// (virXMLNodeSanitizeNamespaces), and prints the copy with libxml2's serializer. So:
//  - a namespace declared above <metadata> (on <network>) and used inside it gets declared on
//    <metadata>, after <metadata>'s own declarations, in the order of first use;
//  - an element prints its own declarations first, then its attributes, in double quotes;
//  - attribute values escape < > & " tab CR LF and every non-ASCII character (&#xE9;); text
//    escapes < > & and CR only;
//  - an element with any text in it prints its content inline: libxml2 indents element-only
//    content alone.
// hostnet's own element is not kept as text: it is read into port_forwards and tunnels, and printed
// from them in its place (network_format.cc).
#include <algorithm>
#include <cstdio>
#include <optional>
#include <vector>

#include "xml/parse_context.h"

namespace hostnet::xml::detail {

namespace {

using tinyxml2::XMLNode;

struct Ns {
  std::string prefix;  // "" for the default namespace
  std::string uri;
};

std::string prefix_of(const char* name) {
  std::string n = name;
  auto colon = n.find(':');
  return colon == std::string::npos ? "" : n.substr(0, colon);
}

bool is_declaration(const std::string& attr) { return attr == "xmlns" || attr.rfind("xmlns:", 0) == 0; }

// The declarations written on e itself, in document order.
std::vector<Ns> own_declarations(const XMLElement* e) {
  std::vector<Ns> out;
  for (const auto* a = e->FirstAttribute(); a; a = a->Next()) {
    std::string name = a->Name();
    if (is_declaration(name)) out.push_back({name.size() > 6 ? name.substr(6) : "", a->Value()});
  }
  return out;
}

// The namespace a prefix means at e: the nearest declaration from e up to the document.
std::optional<std::string> resolve(const XMLElement* e, const std::string& prefix) {
  if (prefix == "xml") return std::string("http://www.w3.org/XML/1998/namespace");
  for (const XMLNode* n = e; n && n->ToElement(); n = n->Parent())
    for (const auto& ns : own_declarations(n->ToElement()))
      if (ns.prefix == prefix) return ns.uri;
  return std::nullopt;
}

// The declarations xmlCopyNode adds to the copy's root (<metadata>): for each prefix an element or
// attribute inside uses and the copied subtree does not declare, the declaration the original tree
// had above <metadata>. In libxml2's copy order: the element, its attributes, then its children.
void collect_inherited(const XMLElement* e, std::vector<Ns>& path, std::vector<Ns>& added) {
  size_t mark = path.size();
  for (auto& ns : own_declarations(e)) path.push_back(ns);
  auto need = [&](const std::string& prefix) {
    if (prefix == "xml") return;
    for (const auto* scope : {&path, &added})
      for (const auto& ns : *scope)
        if (ns.prefix == prefix) return;
    // Unbound, or a default namespace undeclared with xmlns="": no namespace at all.
    if (auto uri = resolve(e, prefix); uri && !uri->empty()) added.push_back({prefix, *uri});
  };
  need(prefix_of(e->Name()));
  for (const auto* a = e->FirstAttribute(); a; a = a->Next())
    if (!is_declaration(a->Name()) && !prefix_of(a->Name()).empty()) need(prefix_of(a->Name()));
  for (const auto* c = e->FirstChildElement(); c; c = c->NextSiblingElement()) collect_inherited(c, path, added);
  path.resize(mark);
}

// A valid UTF-8 sequence at s[i] as a character reference, as libxml2 escapes non-ASCII in
// attributes when the output has no encoding (libvirt's has none); i moves to its last byte. Bytes
// that are no valid UTF-8 (libxml2 would not have parsed them) are kept as they are.
void append_non_ascii(std::string& out, std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  unsigned cp = c & (0x7f >> len);
  for (size_t k = 1; len && k < len; ++k) {
    unsigned char next = i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0;
    if ((next & 0xc0) != 0x80) len = 0;
    cp = (cp << 6) | (next & 0x3f);
  }
  bool valid = len && !(len == 3 && cp < 0x800) && !(len == 4 && (cp < 0x10000 || cp > 0x10ffff)) &&
               !(cp >= 0xd800 && cp <= 0xdfff);
  if (!valid) {
    out.push_back(s[i]);
    return;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "&#x%X;", cp);
  out += buf;
  i += len - 1;
}

std::string escape_attribute(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else if (c == '\n') out += "&#10;";
    else if (c == '\r') out += "&#13;";
    else if (c == '\t') out += "&#9;";
    else if (static_cast<unsigned char>(c) >= 0x80) append_non_ascii(out, s, i);
    else out.push_back(c);
  }
  return out;
}

std::string escape_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '\r') out += "&#13;";
    else out.push_back(c);
  }
  return out;
}

std::string declaration(const Ns& ns) {
  std::string name = ns.prefix.empty() ? "xmlns" : "xmlns:" + ns.prefix;
  return " " + name + "=\"" + escape_attribute(ns.uri) + "\"";
}

std::string plain_attributes(const XMLElement* e) {
  std::string out;
  for (const auto* a = e->FirstAttribute(); a; a = a->Next())
    if (!is_declaration(a->Name())) out += std::string(" ") + a->Name() + "=\"" + escape_attribute(a->Value()) + "\"";
  return out;
}

// Declarations first, then the other attributes, as libxml2 prints an element.
std::string attributes_of(const XMLElement* e, const std::vector<Ns>& inherited = {}) {
  std::string out;
  for (const auto& ns : own_declarations(e)) out += declaration(ns);
  for (const auto& ns : inherited) out += declaration(ns);
  return out + plain_attributes(e);
}

void print(const XMLNode* n, int depth, bool indent, std::string& out);

// Elements, text and comments; declarations and DTD bits inside <metadata> are not kept.
bool printed(const XMLNode* n) { return n->ToElement() || n->ToText() || n->ToComment(); }

void print_element(const XMLElement* e, int depth, bool indent, std::string& out) {
  out += std::string("<") + e->Name() + attributes_of(e);
  std::vector<const XMLNode*> children;
  for (const auto* c = e->FirstChild(); c; c = c->NextSibling())
    if (printed(c)) children.push_back(c);
  if (children.empty()) {
    out += "/>";
    return;
  }
  out += ">";
  for (const auto* c : children) indent = indent && !c->ToText();
  for (const auto* c : children) {
    if (indent) out += "\n" + std::string(static_cast<size_t>(depth + 1) * 2, ' ');
    print(c, depth + 1, indent, out);
  }
  if (indent) out += "\n" + std::string(static_cast<size_t>(depth) * 2, ' ');
  out += std::string("</") + e->Name() + ">";
}

void print(const XMLNode* n, int depth, bool indent, std::string& out) {
  if (const auto* e = n->ToElement()) print_element(e, depth, indent, out);
  else if (const auto* t = n->ToText())
    out += t->CData() ? "<![CDATA[" + std::string(t->Value()) + "]]>" : escape_text(t->Value());
  else if (const auto* c = n->ToComment()) out += std::string("<!--") + c->Value() + "-->";
}

std::optional<std::string> namespace_of(const XMLElement* e) {
  std::string prefix = prefix_of(e->Name());
  auto uri = resolve(e, prefix);
  if (!uri || uri->empty()) return std::nullopt;
  return uri;
}

// The children libvirt keeps: the first of each namespace; none without one.
std::vector<const XMLElement*> kept_metadata_children(const XMLElement* metadata) {
  std::vector<const XMLElement*> kept;
  std::vector<std::string> seen;
  for (const auto* c = metadata->FirstChildElement(); c; c = c->NextSiblingElement()) {
    auto uri = namespace_of(c);
    if (!uri || std::find(seen.begin(), seen.end(), *uri) != seen.end()) continue;
    seen.push_back(*uri);
    kept.push_back(c);
  }
  return kept;
}

}  // namespace

bool is_hostnet_element(const XMLElement* e) { return namespace_of(e) == std::string(kHostnetNamespace); }

MetadataDef read_metadata(const XMLElement* metadata) {
  MetadataDef m;
  if (!metadata) return m;
  std::vector<Ns> path, inherited;
  collect_inherited(metadata, path, inherited);
  m.attributes = attributes_of(metadata, inherited);
  auto kept = kept_metadata_children(metadata);
  m.given_empty = kept.empty();
  bool after = false;
  for (const auto* c : kept) {
    if (is_hostnet_element(c)) {
      m.hostnet_prefix = prefix_of(c->Name());
      m.hostnet_attributes = attributes_of(c);
      after = true;
      continue;
    }
    std::string& text = after ? m.after_hostnet : m.before_hostnet;
    text += "    ";
    print(c, 2, true, text);
    text += "\n";
  }
  return m;
}

}  // namespace hostnet::xml::detail
