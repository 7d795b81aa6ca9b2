// One D-Bus client starting and then stopping networks bench0..benchN-1 through hostnetd, as an
// orchestrator would: no process per call, so what is measured is hostnetd plus the bus.
// Prints "start <seconds> stop <seconds>".
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli/client.h"

int main(int argc, char** argv) {
  int count = argc > 1 ? std::atoi(argv[1]) : 100;
  hostnet::cli::Client client;
  auto now = [] { return std::chrono::steady_clock::now(); };
  auto t0 = now();
  for (int i = 0; i < count; ++i) client.lookup("bench" + std::to_string(i))->Start();
  auto t1 = now();
  for (int i = 0; i < count; ++i) client.lookup("bench" + std::to_string(i))->Stop();
  auto t2 = now();
  std::printf("start %.6f stop %.6f\n", std::chrono::duration<double>(t1 - t0).count(),
              std::chrono::duration<double>(t2 - t1).count());
  return 0;
}
