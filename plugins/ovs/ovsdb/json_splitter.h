// Splits a byte stream of concatenated JSON texts into one text per value. OVSDB's JSON-RPC puts
// messages back to back with no delimiter or length prefix, and a read may end anywhere (inside a
// string, between a backslash and what it escapes), so the end of a value can only be found by
// following brace/bracket depth outside strings. The splitter does not validate JSON: it finds
// boundaries, and the caller's parser rejects malformed texts.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace hostnet::ovsdb {

class JsonSplitter {
 public:
  // A runaway or hostile peer must not grow the buffer without bound; the largest OVSDB message
  // hostnet expects (the initial monitor reply of a few thousand ports) is a few MB.
  static constexpr std::size_t kDefaultMaxMessage = 64u << 20;

  explicit JsonSplitter(std::size_t max_message = kDefaultMaxMessage) : max_message_(max_message) {}

  // Appends `bytes` and moves every value completed by them, in order, to the end of `out`.
  // Fails (and stays failed) on a top-level byte that cannot start an object or array — JSON-RPC
  // messages are objects — or on a value longer than the limit.
  Result<void> feed(std::string_view bytes, std::vector<std::string>& out);

  // Bytes of an incomplete value held back for the next feed.
  std::size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  std::string buffer_;
  std::size_t consumed_ = 0;  // bytes of buffer_ already handed out or skipped
  std::size_t scan_ = 0;      // next byte to examine; bytes before it are accounted for
  std::size_t depth_ = 0;     // 0: between values
  bool in_string_ = false;
  bool escaped_ = false;      // the previous byte in a string was an unescaped backslash
  std::size_t max_message_;
  std::string failed_;        // non-empty once the stream is unusable
};

}  // namespace hostnet::ovsdb
