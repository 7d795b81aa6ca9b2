// One D-Bus client creating VM tap ports on a hostnet network, as an orchestrator would: one
// connection, no process per call, so what is measured is hostnetd plus the bus.
//
//   bench_dbus_ports probe  NET                              exit 0 if the network has CreatePort, 3 if not
//   bench_dbus_ports single NET COUNT QUEUES                 one CreatePort per port
//   bench_dbus_ports batch  NET COUNT QUEUES BATCHSIZE       CreatePorts with BATCHSIZE ports per call
//   bench_dbus_ports inflight NET COUNT QUEUES WINDOW        CreatePort calls, WINDOW of them outstanding
//                                                            at a time (many VMs starting at once)
//   bench_dbus_ports delete                                  Port.Delete on each path read from stdin
//   bench_dbus_ports stop   NET                              Network.Stop (removes every port)
//
// Ports are named t0..t(COUNT-1). single and batch print the elapsed seconds on the first line,
// then the port object paths, one a line (inflight: each path, a tab, and that call's seconds);
// delete and stop print the elapsed seconds.
//
// Written against the port API contract (org.hostnet1.Network.CreatePort(a{sv}) -> o,
// CreatePorts(aa{sv}) -> ao, org.hostnet1.Port.Delete()) with untyped proxies, so it builds before
// the introspection XML has the methods.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <sdbus-c++/sdbus-c++.h>
#include <systemd/sd-bus.h>

namespace {

constexpr const char* kService = "org.hostnet1";
constexpr const char* kNetwork = "org.hostnet1.Network";
constexpr auto kTimeout = std::chrono::minutes(5);  // a batch of 1000 multi-queue ports is slow

using Options = std::map<std::string, sdbus::Variant>;

double since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Options port_options(int i, uint32_t queues) {
  return {{"name", sdbus::Variant(std::string("t") + std::to_string(i))}, {"queues", sdbus::Variant(queues)}};
}

std::unique_ptr<sdbus::IProxy> network(sdbus::IConnection& bus, const std::string& name) {
  auto manager = sdbus::createProxy(bus, kService, "/org/hostnet1");
  sdbus::ObjectPath path;
  manager->callMethod("LookupNetwork").onInterface("org.hostnet1.Manager").withArguments(name).storeResultsTo(path);
  return sdbus::createProxy(bus, kService, path);
}

// Pipelined calls need a client that does not wait for each reply: plain sd-bus, driven by hand.
struct InFlight {
  std::vector<std::string> paths;
  std::vector<double> seconds;
  std::vector<std::chrono::steady_clock::time_point> sent;
  int outstanding = 0;
  std::string error;
};

struct CallSlot {
  InFlight* state;
  int index;
};

int on_created(sd_bus_message* reply, void* userdata, sd_bus_error*) {
  auto* slot = static_cast<CallSlot*>(userdata);
  InFlight& s = *slot->state;
  --s.outstanding;
  s.seconds[slot->index] = since(s.sent[slot->index]);
  if (sd_bus_message_is_method_error(reply, nullptr)) {
    if (s.error.empty()) s.error = sd_bus_message_get_error(reply)->message;
  } else {
    const char* path = nullptr;
    if (sd_bus_message_read(reply, "o", &path) >= 0 && path) s.paths[slot->index] = path;
  }
  delete slot;
  return 0;
}

int inflight(const std::string& net_path, int count, uint32_t queues, int window) {
  sd_bus* bus = nullptr;
  if (sd_bus_open_system(&bus) < 0) throw std::runtime_error("cannot connect to the system bus");
  InFlight s;
  s.paths.resize(count);
  s.seconds.resize(count);
  s.sent.resize(count);
  auto start = std::chrono::steady_clock::now();
  int next = 0, done = 0;
  while (done < count) {
    while (s.outstanding < window && next < count) {
      sd_bus_message* m = nullptr;
      std::string name = "t" + std::to_string(next);
      int r = sd_bus_message_new_method_call(bus, &m, kService, net_path.c_str(), kNetwork, "CreatePort");
      if (r >= 0) r = sd_bus_message_append(m, "a{sv}", 2, "name", "s", name.c_str(), "queues", "u", queues);
      s.sent[next] = std::chrono::steady_clock::now();
      if (r >= 0) r = sd_bus_call_async(bus, nullptr, m, on_created, new CallSlot{&s, next}, 300'000'000);
      sd_bus_message_unref(m);
      if (r < 0) throw std::runtime_error("cannot send CreatePort: " + std::string(strerror(-r)));
      ++s.outstanding;
      ++next;
    }
    int before = s.outstanding;
    while (sd_bus_process(bus, nullptr) > 0) {
    }
    done += before - s.outstanding;
    if (s.outstanding == before) sd_bus_wait(bus, UINT64_MAX);
  }
  double elapsed = since(start);
  sd_bus_flush_close_unref(bus);
  if (!s.error.empty()) throw std::runtime_error("CreatePort failed: " + s.error);
  std::printf("%.6f\n", elapsed);
  for (int i = 0; i < count; ++i) std::printf("%s\t%.6f\n", s.paths[i].c_str(), s.seconds[i]);
  return 0;
}

int usage() {
  std::fprintf(stderr,
               "usage: bench_dbus_ports probe NET | single NET COUNT QUEUES | batch NET COUNT QUEUES BATCHSIZE |"
               " inflight NET COUNT QUEUES WINDOW | delete < paths | stop NET\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 2) return usage();
  const std::string mode = argv[1];
  auto bus = sdbus::createSystemBusConnection();  // DBUS_SYSTEM_BUS_ADDRESS if set

  if (mode == "probe" && argc == 3) {
    auto net = network(*bus, argv[2]);
    std::string xml;
    net->callMethod("Introspect").onInterface("org.freedesktop.DBus.Introspectable").storeResultsTo(xml);
    return xml.find("name=\"CreatePort\"") != std::string::npos ? 0 : 3;
  }

  if (mode == "delete" && argc == 2) {
    std::vector<std::string> paths;
    for (std::string line; std::getline(std::cin, line);)
      if (!line.empty()) paths.push_back(line);
    auto start = std::chrono::steady_clock::now();
    for (const auto& path : paths)
      sdbus::createProxy(*bus, kService, path)->callMethod("Delete").onInterface("org.hostnet1.Port").withTimeout(kTimeout);
    std::printf("%.6f\n", since(start));
    return 0;
  }

  if (mode == "stop" && argc == 3) {
    auto net = network(*bus, argv[2]);
    auto start = std::chrono::steady_clock::now();
    net->callMethod("Stop").onInterface(kNetwork).withTimeout(kTimeout);
    std::printf("%.6f\n", since(start));
    return 0;
  }

  if ((mode == "single" && argc == 5) || (mode == "batch" && argc == 6)) {
    auto net = network(*bus, argv[2]);
    const int count = std::atoi(argv[3]);
    const auto queues = static_cast<uint32_t>(std::atoi(argv[4]));
    std::vector<sdbus::ObjectPath> ports;
    ports.reserve(count);
    auto start = std::chrono::steady_clock::now();
    if (mode == "single") {
      for (int i = 0; i < count; ++i) {
        sdbus::ObjectPath port;
        net->callMethod("CreatePort").onInterface(kNetwork).withTimeout(kTimeout).withArguments(port_options(i, queues))
            .storeResultsTo(port);
        ports.push_back(std::move(port));
      }
    } else {
      const int batch = std::max(1, std::atoi(argv[5]));
      for (int first = 0; first < count; first += batch) {
        std::vector<Options> options;
        for (int i = first; i < std::min(count, first + batch); ++i) options.push_back(port_options(i, queues));
        std::vector<sdbus::ObjectPath> created;
        net->callMethod("CreatePorts").onInterface(kNetwork).withTimeout(kTimeout).withArguments(options)
            .storeResultsTo(created);
        ports.insert(ports.end(), created.begin(), created.end());
      }
    }
    std::printf("%.6f\n", since(start));
    for (const auto& port : ports) std::printf("%s\n", port.c_str());
    return 0;
  }
  if (mode == "inflight" && argc == 6) {
    auto net = network(*bus, argv[2]);
    return inflight(net->getObjectPath(), std::atoi(argv[3]), static_cast<uint32_t>(std::atoi(argv[4])),
                    std::max(1, std::atoi(argv[5])));
  }
  return usage();
} catch (const sdbus::Error& e) {
  std::fprintf(stderr, "bench_dbus_ports: %s: %s\n", e.getName().c_str(), e.getMessage().c_str());
  return 1;
} catch (const std::runtime_error& e) {
  std::fprintf(stderr, "bench_dbus_ports: %s\n", e.what());
  return 1;
}
