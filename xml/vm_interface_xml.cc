#include "xml/vm_interface_xml.h"

#include <tinyxml2.h>

#include <algorithm>
#include <cctype>

namespace hostnet::xml {

namespace {

using tinyxml2::XMLDocument;
using tinyxml2::XMLElement;

std::string attr(const XMLElement* e, const char* name) {
  const char* v = e ? e->Attribute(name) : nullptr;
  return v ? v : "";
}

std::string text(const XMLElement* e) {
  const char* t = e ? e->GetText() : nullptr;
  return t ? t : "";
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

Result<const XMLElement*> root(XMLDocument& doc, std::string_view text, const char* name) {
  if (doc.Parse(text.data(), text.size()) != tinyxml2::XML_SUCCESS)
    return fail(Errc::InvalidXML, std::string("line ") + std::to_string(doc.ErrorLineNum()) + ": malformed XML: " +
                                      doc.ErrorStr());
  const XMLElement* r = doc.RootElement();
  if (!r || std::string(r->Name()) != name) return fail(Errc::InvalidXML, std::string("the root element must be <") + name + ">");
  return r;
}

}  // namespace

Result<NetworkPortDef> parse_network_port(std::string_view xml_text) {
  XMLDocument doc;
  auto r = root(doc, xml_text, "networkport");
  if (!r) return tl::unexpected(r.error());
  const XMLElement* e = *r;
  NetworkPortDef p;
  p.uuid = text(e->FirstChildElement("uuid"));
  if (const auto* owner = e->FirstChildElement("owner")) {
    p.owner_name = text(owner->FirstChildElement("name"));
    p.owner_uuid = text(owner->FirstChildElement("uuid"));
  }
  p.mac = lower(attr(e->FirstChildElement("mac"), "address"));
  p.portgroup = text(e->FirstChildElement("group"));
  p.bridge = attr(e->FirstChildElement("plug"), "bridge");
  if (p.uuid.empty() || p.mac.empty()) return fail(Errc::InvalidXML, "<networkport> without <uuid> or <mac address>");
  return p;
}

Result<std::vector<DomainInterface>> parse_domain_interfaces(std::string_view domain_xml) {
  XMLDocument doc;
  auto r = root(doc, domain_xml, "domain");
  if (!r) return tl::unexpected(r.error());
  std::vector<DomainInterface> out;
  const XMLElement* devices = (*r)->FirstChildElement("devices");
  for (const XMLElement* i = devices ? devices->FirstChildElement("interface") : nullptr; i;
       i = i->NextSiblingElement("interface")) {
    const XMLElement* source = i->FirstChildElement("source");
    out.push_back(DomainInterface{lower(attr(i->FirstChildElement("mac"), "address")), attr(source, "network"),
                                  attr(source, "portid"), attr(source, "portgroup"),
                                  attr(i->FirstChildElement("target"), "dev")});
  }
  return out;
}

}  // namespace hostnet::xml
