#include "plugins/ovs/ovsdb/json_splitter.h"

namespace hostnet::ovsdb {

namespace {

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

Result<void> JsonSplitter::feed(std::string_view bytes, std::vector<std::string>& out) {
  if (!failed_.empty()) return fail(Errc::Failed, failed_);
  buffer_.append(bytes);
  // Resumes where the previous feed stopped, so a message split over many reads is scanned once.
  for (; scan_ < buffer_.size(); ++scan_) {
    const char c = buffer_[scan_];
    if (depth_ == 0) {
      if (is_json_space(c)) {
        consumed_ = scan_ + 1;
        continue;
      }
      if (c != '{' && c != '[') {
        failed_ = std::string("malformed JSON-RPC stream: unexpected byte 0x") +
                  "0123456789abcdef"[(static_cast<unsigned char>(c) >> 4) & 0xf] +
                  "0123456789abcdef"[static_cast<unsigned char>(c) & 0xf] + " between messages";
        return fail(Errc::Failed, failed_);
      }
      consumed_ = scan_;
      depth_ = 1;
      continue;
    }
    if (in_string_) {
      if (escaped_)
        escaped_ = false;
      else if (c == '\\')
        escaped_ = true;
      else if (c == '"')
        in_string_ = false;
      continue;
    }
    if (c == '"') {
      in_string_ = true;
    } else if (c == '{' || c == '[') {
      ++depth_;
    } else if (c == '}' || c == ']') {
      if (--depth_ == 0) {
        out.emplace_back(buffer_, consumed_, scan_ + 1 - consumed_);
        consumed_ = scan_ + 1;
      }
    }
  }
  if (depth_ > 0 && buffer_.size() - consumed_ > max_message_) {
    failed_ = "JSON-RPC message longer than " + std::to_string(max_message_) + " bytes";
    return fail(Errc::Failed, failed_);
  }
  // Drop what was handed out; offsets move with it. Erasing only when the consumed part is at
  // least half the buffer keeps the cost linear in the bytes received.
  if (consumed_ > 0 && consumed_ * 2 >= buffer_.size()) {
    buffer_.erase(0, consumed_);
    scan_ -= consumed_;
    consumed_ = 0;
  }
  return {};
}

}  // namespace hostnet::ovsdb
