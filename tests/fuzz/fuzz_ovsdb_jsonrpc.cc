// libFuzzer target for the OVSDB JSON-RPC stream from ovsdb-server: the bytes of the unix socket,
// framed by JsonSplitter (JSON texts back to back, no delimiter) and dispatched by JsonRpc
// (replies, "echo" requests it answers, notifications); update2 and update notifications are
// applied to a replica of the monitored Bridge/Port/Interface/Open_vSwitch columns, as
// OvsdbClient does. The input is written to the peer end of a socketpair and the connection
// read until the peer's close. Invariants: framing does not depend on where reads end (the
// same bytes fed in arbitrary chunks split into the same texts); nothing throws or crashes, and
// a malformed stream only loses the connection.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/unique_fd.h"
#include "plugins/ovs/ovsdb/json_rpc.h"
#include "plugins/ovs/ovsdb/json_splitter.h"
#include "plugins/ovs/ovsdb/replica.h"
#include "tests/fuzz/ovs_schema.h"

using hostnet::ovsdb::JsonSplitter;

namespace {
// The size limit is checked per read on an incomplete value, so a long message completed within
// one read passes where the same bytes read in pieces fail: framing is compared under the default
// limit, which no input reaches.
constexpr std::size_t kMaxMessage = JsonSplitter::kDefaultMaxMessage;
// More than a socketpair takes without a reader is not written (the target would block).
constexpr std::size_t kMaxInput = 64 * 1024;

void check_framing(std::string_view bytes) {
  JsonSplitter whole(kMaxMessage);
  std::vector<std::string> one;
  bool whole_ok = static_cast<bool>(whole.feed(bytes, one));
  // Chunk sizes from the input itself: 1..16 bytes, cycling.
  JsonSplitter pieces(kMaxMessage);
  std::vector<std::string> many;
  bool pieces_ok = true;
  for (std::size_t at = 0, i = 0; at < bytes.size() && pieces_ok; ++i) {
    std::size_t n = 1 + static_cast<unsigned char>(bytes[i % bytes.size()]) % 16;
    pieces_ok = static_cast<bool>(pieces.feed(bytes.substr(at, n), many));
    at += n;
  }
  // A failed stream still delivers every message before the byte that broke it.
  if (whole_ok != pieces_ok || one != many) std::abort();
  if (whole_ok && whole.buffered() != pieces.buffered()) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check_framing(bytes);

  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) std::abort();
  hostnet::UniqueFd server(sv[1]);
  auto rpc = hostnet::ovsdb::JsonRpc::adopt(hostnet::UniqueFd(sv[0]), "fuzz");
  if (!rpc) std::abort();
  hostnet::ovsdb::Replica replica;
  replica.set_columns(hostnet::fuzz::monitored_columns());
  rpc->set_notification_handler([&](const std::string& method, const nlohmann::json& params) {
    if (!params.is_array() || params.size() < 2) return;
    auto applied = method == "update2" ? replica.apply_update2(params[1])
                   : method == "update" ? replica.apply_update(params[1])
                                        : hostnet::Result<void>{};
    if (!applied) replica.clear();
  });
  for (std::size_t at = 0; at < size;) {
    ssize_t n = ::send(server.get(), data + at, size - at, MSG_NOSIGNAL);
    if (n <= 0) std::abort();
    at += static_cast<std::size_t>(n);
  }
  ::shutdown(server.get(), SHUT_WR);
  // Reads to the peer's close: always an Error in the end ("closed by the server").
  if (rpc->on_readable()) std::abort();
  if (rpc->connected()) std::abort();
  return 0;
}
