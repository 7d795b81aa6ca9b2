// The attribute walker stops at a message's own length, not at its aligned tail: a reply's last
// message may end unaligned at the end of recv's buffer, and whatever follows it is not the
// message's (libmnl's walker read a "next attribute" there).
#include <gtest/gtest.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <vector>

#include "common/netlink/attr.h"

namespace {

struct alignas(4) Buffer {
  unsigned char bytes[64] = {};
};

// An RTM_NEWLINK of `len` bytes: the ifinfomsg, an empty attribute of type 3 at offset 32, and
// after it, at offset 36 (inside the aligned tail but past the message when len < 40), the header
// of an attribute of type 7.
struct nlmsghdr* message(Buffer& b, unsigned len) {
  auto* nlh = reinterpret_cast<struct nlmsghdr*>(b.bytes);
  nlh->nlmsg_len = len;
  nlh->nlmsg_type = RTM_NEWLINK;
  const unsigned short first[2] = {4, 3}, stray[2] = {4, 7};
  std::memcpy(b.bytes + 32, first, sizeof first);
  std::memcpy(b.bytes + 36, stray, sizeof stray);
  return nlh;
}

std::vector<int> types_walked(const struct nlmsghdr* nlh) {
  std::vector<int> types;
  hostnet::netlink::for_each_attr(nlh, sizeof(struct ifinfomsg), [&](const struct nlattr* a) { types.push_back(a->nla_type); });
  return types;
}

TEST(AttrWalk, StopsAtTheMessagesLengthNotItsAlignedTail) {
  Buffer b;
  EXPECT_EQ(types_walked(message(b, 37)), (std::vector<int>{3}));
  EXPECT_EQ(types_walked(message(b, 40)), (std::vector<int>{3, 7}));
}

TEST(AttrWalk, AnAttributeLongerThanWhatIsLeftEndsTheWalk) {
  Buffer b;
  auto* nlh = message(b, 40);
  const unsigned short longer[2] = {8, 7};
  std::memcpy(b.bytes + 36, longer, sizeof longer);
  EXPECT_EQ(types_walked(nlh), (std::vector<int>{3}));
}

TEST(AttrWalk, AHeaderLongerThanTheMessageWalksNothing) {
  Buffer b;
  EXPECT_TRUE(types_walked(message(b, 24)).empty());
}

TEST(AttrWalk, NestedAttributesStayInsideTheirNest) {
  Buffer b;
  auto* nest = reinterpret_cast<struct nlattr*>(b.bytes);
  nest->nla_len = 4 + 5;  // one 5-byte attribute inside; the nest ends before the stray header at 12
  nest->nla_type = NLA_F_NESTED | 1;
  const unsigned short inner[2] = {5, 2}, stray[2] = {4, 9};
  std::memcpy(b.bytes + 4, inner, sizeof inner);
  std::memcpy(b.bytes + 12, stray, sizeof stray);
  std::vector<int> types;
  hostnet::netlink::for_each_nested(nest, [&](const struct nlattr* a) { types.push_back(a->nla_type); });
  EXPECT_EQ(types, (std::vector<int>{2}));
}

}  // namespace
