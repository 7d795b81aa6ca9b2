#!/usr/bin/python3
"""Load (issue 13 part 7): --clients D-Bus clients (default 64), each its own process and bus
connection, issuing mixed calls for --seconds (default 60) against one hostnetd: reads
(ListNetworks, GetXMLDesc, ListPorts), port creates and deletes on four shared networks, and each
client's own network defined, started, updated, stopped and undefined. Every call must be answered;
the only error allowed is the Conflict of two clients racing (none is expected with these calls).
Prints calls, errors by name, and p50/p99/max latency per kind of call.

    sudo /usr/bin/python3 bench/bench_load.py [--clients 64] [--seconds 60] [--build-dir build-bench]"""

import collections
import multiprocessing
import random
import statistics
import time

import benchlib

SHARED = 4


def shared_xml(i):
    return (f"<network><name>shared{i}</name><bridge name='hl{i}'/><dns enable='no'/>"
            f"<ip address='10.90.{i}.1' prefix='24'/></network>")


def own_xml(k):
    return (f"<network><name>own{k}</name><bridge name='ho{k}'/><dns enable='no'/>"
            f"<ip address='10.91.{k}.1' prefix='24'/></network>")


def client(k, address, seconds, seed, out):
    import dbus
    bus = dbus.bus.BusConnection(address)
    rng = random.Random(seed)

    def obj(path, iface):
        return dbus.Interface(bus.get_object("org.hostnet1", path), iface)

    manager = obj("/org/hostnet1", "org.hostnet1.Manager")
    shared = [obj(manager.LookupNetwork(f"shared{i}"), "org.hostnet1.Network") for i in range(SHARED)]
    mine = []  # port paths this client made
    own = None
    lat = collections.defaultdict(list)
    errors = collections.Counter()
    deadline = time.monotonic() + seconds

    def call(kind, fn):
        began = time.perf_counter()
        try:
            result = fn()
        except dbus.DBusException as e:
            errors[f"{kind}: {e.get_dbus_name()}"] += 1
            result = None
        lat[kind].append(time.perf_counter() - began)
        return result

    while time.monotonic() < deadline:
        r = rng.random()
        if r < 0.30:
            call("ListNetworks", manager.ListNetworks)
        elif r < 0.45:
            call("GetXMLDesc", lambda: rng.choice(shared).GetXMLDesc(0))
        elif r < 0.55:
            call("ListPorts", lambda: manager.ListPorts(""))
        elif r < 0.75 or not mine:
            net = rng.choice(shared)
            path = call("CreatePort", lambda: net.CreatePort(dbus.Dictionary({}, signature="sv"), timeout=60))
            if path:
                mine.append(path)
        elif r < 0.90:
            path = mine.pop(rng.randrange(len(mine)))
            call("Port.Delete", lambda: obj(path, "org.hostnet1.Port").Delete(timeout=60))
        elif own is None:
            path = call("DefineNetwork", lambda: manager.DefineNetwork(own_xml(k)))
            if path:
                own = obj(path, "org.hostnet1.Network")
                call("Start", lambda: own.Start(timeout=60))
        else:
            call("Stop", lambda: own.Stop(timeout=60))
            call("Undefine", own.Undefine)
            own = None
    for path in mine:
        call("Port.Delete", lambda: obj(path, "org.hostnet1.Port").Delete(timeout=60))
    out.put((dict(lat), dict(errors)))


def main():
    def extra(p):
        p.add_argument("--clients", type=int, default=64)
        p.add_argument("--seconds", type=float, default=60)
    args = benchlib.parse_args(__doc__, 0, extra=extra)
    import dbus
    from harness import Host

    host = Host()
    try:
        bus = dbus.bus.BusConnection(host.bus_address)
        manager = dbus.Interface(bus.get_object("org.hostnet1", "/org/hostnet1"), "org.hostnet1.Manager")
        for i in range(SHARED):
            path = manager.DefineNetwork(shared_xml(i))
            dbus.Interface(bus.get_object("org.hostnet1", path), "org.hostnet1.Network").Start()
        out = multiprocessing.Queue()
        procs = [multiprocessing.Process(target=client, args=(k, host.bus_address, args.seconds, k, out))
                 for k in range(args.clients)]
        for p in procs:
            p.start()
        results = [out.get(timeout=args.seconds + 300) for _ in procs]
        for p in procs:
            p.join()
        lat = collections.defaultdict(list)
        errors = collections.Counter()
        for l, e in results:
            for kind, samples in l.items():
                lat[kind].extend(samples)
            errors.update(e)
        everything = [s for samples in lat.values() for s in samples]
        print(f"{args.clients} clients, {args.seconds:.0f} s: {len(everything)} calls, all answered; "
              f"{sum(errors.values())} errors")
        for name, n in sorted(errors.items()):
            print(f"  error {name}: {n}")
        print(f"{'call':14} {'count':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        for kind, samples in sorted(lat.items()) + [("all", everything)]:
            samples.sort()
            p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
            print(f"{kind:14} {len(samples):7} {statistics.median(samples) * 1000:8.1f} {p99 * 1000:8.1f} "
                  f"{samples[-1] * 1000:8.1f}")
        left = len(manager.ListPorts(""))
        print(f"ports left after every client deleted its own: {left}")
        bad = sum(n for name, n in errors.items() if "Conflict" not in name)
        return 1 if bad or left else 0
    finally:
        host.close()


if __name__ == "__main__":
    raise SystemExit(main())
