// A tiny writer for libvirt-style XML: two-space indentation, attributes in single quotes, and
// the escaping libvirt's virBufferEscapeString applies.
#pragma once

#include <string>
#include <string_view>

namespace hostnet::xml {

std::string escape_xml(std::string_view text);

class XmlWriter {
 public:
  // Starts "<name" at the current indentation; finish with close_empty() or close_open().
  XmlWriter& open(std::string_view name);
  XmlWriter& attr(std::string_view name, std::string_view value);  // skipped when value is empty
  XmlWriter& attr_always(std::string_view name, std::string_view value);
  XmlWriter& attr(std::string_view name, unsigned long long value);
  void close_empty();  // "/>\n"
  void close_open();   // ">\n", and indent what follows
  void end(std::string_view name);  // "</name>\n" one level out
  void text_element(std::string_view name, std::string_view text);  // <name>text</name>, skipped if empty
  void raw(std::string_view already_indented);  // appended as is
  void indent(int delta) { depth_ += delta; }
  int depth() const { return depth_; }
  std::string take() { return std::move(out_); }

 private:
  void pad();
  std::string out_;
  int depth_ = 0;
};

}  // namespace hostnet::xml
