// JsonRpc against a scripted peer on the other end of a socketpair: what it sends, what it does
// with replies, notifications, echo requests, errors, and a peer that goes away.
#include "plugins/ovs/ovsdb/json_rpc.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace hostnet;
using namespace hostnet::ovsdb;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

class JsonRpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    peer_.reset(sv[1]);
    auto rpc = JsonRpc::adopt(UniqueFd(sv[0]), "test peer");
    ASSERT_TRUE(rpc) << rpc.error().message;
    rpc_.emplace(std::move(*rpc));
    rpc_->set_notification_handler([this](const std::string& m, const json& p) { notes_.emplace_back(m, p); });
  }

  void peer_writes(const std::string& text) {
    ASSERT_EQ(::write(peer_.get(), text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  // Everything the client has sent so far, split into messages.
  std::vector<json> peer_reads() {
    std::vector<json> out;
    std::vector<std::string> texts;
    char buf[65536];
    pollfd p{peer_.get(), POLLIN, 0};
    while (::poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) {
      ssize_t n = ::read(peer_.get(), buf, sizeof buf);
      if (n <= 0) break;
      EXPECT_TRUE(peer_splitter_.feed(std::string_view(buf, static_cast<size_t>(n)), texts));
    }
    for (const auto& t : texts) out.push_back(json::parse(t));
    return out;
  }

  UniqueFd peer_;
  std::optional<JsonRpc> rpc_;
  JsonSplitter peer_splitter_;
  std::vector<std::pair<std::string, json>> notes_;
};

TEST_F(JsonRpcTest, CallSendsARequestWithAFreshIdAndReturnsItsResult) {
  // Ids start at 1; the reply is waiting before the request is even sent.
  peer_writes(R"({"id":1,"result":["Open_vSwitch"],"error":null})");
  auto r = rpc_->call("list_dbs", json::array(), 1s);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, json::array({"Open_vSwitch"}));
  auto sent = peer_reads();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], json({{"method", "list_dbs"}, {"params", json::array()}, {"id", 1}}));

  peer_writes(R"({"id":2,"result":{},"error":null})");
  ASSERT_TRUE(rpc_->call("echo", json::array(), 1s));
  EXPECT_EQ(peer_reads().at(0)["id"], 2);
}

TEST_F(JsonRpcTest, NotificationsAndEchoRequestsWhileWaitingAreHandled) {
  peer_writes(R"({"method":"update2","params":["m",{"Bridge":{}}],"id":null})"
              R"({"method":"echo","params":["ping"],"id":"echo-7"})"
              R"({"id":99,"result":"stale","error":null})"  // nobody waits for 99: dropped
              R"({"id":1,"result":"ok","error":null})"
              R"({"method":"update2","params":["m",{"Port":{}}],"id":null})");
  auto r = rpc_->call("transact", json::array({"Open_vSwitch"}), 1s);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "ok");
  // Both notifications, in order, including the one after the reply (nothing is left buffered).
  ASSERT_EQ(notes_.size(), 2u);
  EXPECT_EQ(notes_[0].first, "update2");
  EXPECT_EQ(notes_[0].second, json::parse(R"(["m",{"Bridge":{}}])"));
  EXPECT_EQ(notes_[1].second, json::parse(R"(["m",{"Port":{}}])"));
  auto sent = peer_reads();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1], json::parse(R"({"id":"echo-7","result":["ping"],"error":null})"));
}

TEST_F(JsonRpcTest, OnReadableDispatchesAMessageSplitOverWrites) {
  const std::string msg = R"({"method":"update2","params":["m",{"Bridge":{"u":{"delete":null}}}],"id":null})";
  peer_writes(msg.substr(0, 20));
  ASSERT_TRUE(rpc_->on_readable());
  EXPECT_TRUE(notes_.empty());
  peer_writes(msg.substr(20) + R"({"method":"echo","params":[],"id":5})");
  ASSERT_TRUE(rpc_->on_readable());
  ASSERT_EQ(notes_.size(), 1u);
  EXPECT_EQ(notes_[0].second[1]["Bridge"]["u"], json::parse(R"({"delete":null})"));
  EXPECT_EQ(peer_reads().at(0), json::parse(R"({"id":5,"result":[],"error":null})"));
}

TEST_F(JsonRpcTest, ErrorReplyNamesTheMethodAndTheServersText) {
  peer_writes(R"({"id":1,"result":null,"error":"unknown method"})");
  auto r = rpc_->call("monitor_cond", json::array(), 1s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "OVSDB monitor_cond: unknown method");

  peer_writes(R"({"id":2,"result":null,"error":{"error":"unknown database","details":"no database named X"}})");
  auto raw = rpc_->call_raw("get_schema", json::array({"X"}), 1s);
  ASSERT_TRUE(raw);  // a server error is a reply, not a transport failure
  EXPECT_EQ(error_text(raw->error), "unknown database: no database named X");
  EXPECT_TRUE(rpc_->connected());
}

TEST_F(JsonRpcTest, TimeoutLeavesTheConnectionUsableAndDropsTheLateReply) {
  auto r = rpc_->call("transact", json::array(), 30ms);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no reply"), std::string::npos) << r.error().message;
  EXPECT_TRUE(rpc_->connected());
  peer_writes(R"({"id":1,"result":"late","error":null}{"id":2,"result":"fresh","error":null})");
  auto again = rpc_->call("echo", json::array(), 1s);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, "fresh");
}

TEST_F(JsonRpcTest, PeerClosingIsAnErrorNotACrash) {
  peer_.reset();
  auto r = rpc_->call("echo", json::array(), 1s);
  ASSERT_FALSE(r);
  EXPECT_FALSE(rpc_->connected());
  EXPECT_NE(r.error().message.find("test peer"), std::string::npos) << r.error().message;
  // Later use fails at once with the same reason (and writing raises no SIGPIPE).
  auto again = rpc_->call("echo", json::array(), 1s);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, r.error().message);
  EXPECT_FALSE(rpc_->on_readable());
}

TEST_F(JsonRpcTest, ClosingAfterTheReplyStillDeliversTheReply) {
  // The peer answers and hangs up its sending side: the reply and the end of the stream arrive
  // in one read.
  peer_writes(R"({"id":1,"result":"bye","error":null})");
  ASSERT_EQ(::shutdown(peer_.get(), SHUT_WR), 0);
  auto r = rpc_->call("echo", json::array(), 1s);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "bye");
  EXPECT_FALSE(rpc_->on_readable());
}

TEST_F(JsonRpcTest, MalformedJsonIsAnError) {
  peer_writes(R"({"id":1,"result":tru})");
  auto r = rpc_->on_readable();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("malformed"), std::string::npos) << r.error().message;
  EXPECT_FALSE(rpc_->connected());
}

TEST_F(JsonRpcTest, ANonObjectMessageIsAnError) {
  peer_writes(R"([1,2,3])");
  EXPECT_FALSE(rpc_->on_readable());
}

TEST_F(JsonRpcTest, InvalidUtf8InOutgoingStringsDoesNotThrow) {
  peer_writes(R"({"id":1,"result":0,"error":null})");
  EXPECT_TRUE(rpc_->call("echo", json::array({std::string("bad \xff byte")}), 1s));
}

TEST_F(JsonRpcTest, ALargeRequestIsWrittenWhileTheReplyIsAwaited) {
  // Far beyond a socket buffer: call() must keep writing as the peer reads, not fail on EAGAIN.
  json big = json::array();
  for (int i = 0; i < 20000; ++i) big.push_back(std::string(100, 'x'));
  int fd = peer_.release();
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // A peer that reads the whole request, then replies.
    JsonSplitter s;
    std::vector<std::string> texts;
    char buf[65536];
    while (texts.empty()) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) ::_exit(1);
      if (!s.feed(std::string_view(buf, static_cast<size_t>(n)), texts)) ::_exit(2);
    }
    const std::string reply = R"({"id":1,"result":"got it","error":null})";
    ::_exit(::write(fd, reply.data(), reply.size()) == static_cast<ssize_t>(reply.size()) ? 0 : 3);
  }
  ::close(fd);
  auto r = rpc_->call("transact", big, 10s);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "got it");
  EXPECT_EQ(status, 0);
}

}  // namespace
