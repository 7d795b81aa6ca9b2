#include "xml/xml_writer.h"

namespace hostnet::xml {

std::string escape_xml(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '\'': out += "&apos;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

void XmlWriter::pad() { out_.append(static_cast<size_t>(depth_) * 2, ' '); }

XmlWriter& XmlWriter::open(std::string_view name) {
  pad();
  out_ += "<";
  out_ += name;
  return *this;
}

XmlWriter& XmlWriter::attr(std::string_view name, std::string_view value) {
  if (value.empty()) return *this;
  return attr_always(name, value);
}

XmlWriter& XmlWriter::attr_always(std::string_view name, std::string_view value) {
  out_ += " ";
  out_ += name;
  out_ += "='";
  out_ += escape_xml(value);
  out_ += "'";
  return *this;
}

XmlWriter& XmlWriter::attr(std::string_view name, unsigned long long value) {
  return attr_always(name, std::to_string(value));
}

void XmlWriter::close_empty() { out_ += "/>\n"; }

void XmlWriter::close_open() {
  out_ += ">\n";
  ++depth_;
}

void XmlWriter::end(std::string_view name) {
  --depth_;
  pad();
  out_ += "</";
  out_ += name;
  out_ += ">\n";
}

void XmlWriter::text_element(std::string_view name, std::string_view text) {
  if (text.empty()) return;
  pad();
  out_ += "<";
  out_ += name;
  out_ += ">";
  out_ += escape_xml(text);
  out_ += "</";
  out_ += name;
  out_ += ">\n";
}

void XmlWriter::raw(std::string_view text) { out_ += text; }

}  // namespace hostnet::xml
