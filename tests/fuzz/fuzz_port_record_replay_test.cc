// The port record target's entry point over seed records, their truncations and corruptions, in
// every build (under ASan+UBSan in CI).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {
int feed(const std::string& s) { return LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); }

const char* kSeeds[] = {
    ("id=3f2a9c\nnetwork=default\nname=hn-3f2a9c\nifindex=17\nmac=52:54:00:12:34:56\nqueues=4\nowner=1000\n"
    "group=100\nmtu=9000\nportgroup=web\nvlan=42,47\ntrunk=yes\nnative-vlan=47\nnative-mode=tagged\n"
    "isolated=yes\ninbound=1000,2000,256\noutbound=500\ninterface-id=09b11c53\nvm-uuid=c7a5fdbd\nifb=hb-3f2a9c\n"),
    "id=1\nnetwork=n\nname=x\n",
    "id=1\nnetwork=n\nname=x\nvlan=10\n",
    "id=1\nnetwork=n\nname=x\noutbound=1,,3\n",
    ("id=a1b2c3\nnetwork=lab\nname=vnet3\nkind=libvirt\nifindex=42\nmac=52:54:00:aa:bb:03\nportgroup=v10\nvlan=10\n"
     "vm-uuid=c7a5fdbd\nvm-name=web-1\npeer-port=5e8d0ad7\n"),
};
}  // namespace

TEST(FuzzPortRecordReplay, SeedsTruncationsAndCorruptions) {
  size_t inputs = 0;
  for (std::string text : kSeeds) {
    for (size_t cut = 0; cut <= text.size(); ++cut, ++inputs) EXPECT_EQ(feed(text.substr(0, cut)), 0);
    for (size_t i = 0; i < text.size(); ++i) {
      for (char c : {'\0', '\n', '=', ',', '9', ':', 'x'}) {
        std::string bad = text;
        bad[i] = c;
        EXPECT_EQ(feed(bad), 0);
        ++inputs;
      }
    }
  }
  EXPECT_GT(inputs, 1000u);
}
