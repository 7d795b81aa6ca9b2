#!/usr/bin/env bash
# The README's first command: install what is missing, build, install, and leave hostnetd running
# on the system D-Bus, serving libvirt's `default` NAT network (virbr0, 192.168.122.0/24) unless a
# network of that name or subnet already exists. Starts a system bus if none is running (bare
# containers and VMs), uses systemd when it is PID 1. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" = 0 ] || { echo "run-hostnetd: run as root" >&2; exit 1; }

bash scripts/install-deps.sh

[ -d build ] || meson setup build --buildtype=release --prefix=/usr/local
meson compile -C build
meson install -C build --quiet

# The bus only lets root own org.hostnet1 if our policy is in a directory it reads.
install -D -m 0644 dbus/org.hostnet1.conf /etc/dbus-1/system.d/org.hostnet1.conf

if [ -d /run/systemd/system ] && [ "$(ps -o comm= -p 1)" = systemd ]; then
  sed 's|^ExecStart=.*|ExecStart=/usr/local/sbin/hostnetd|' dbus/hostnetd.service > /etc/systemd/system/hostnetd.service
  systemctl daemon-reload
  systemctl reload dbus 2>/dev/null || systemctl reload dbus-broker 2>/dev/null || true
  systemctl enable --now hostnetd
  systemctl restart hostnetd
  echo "hostnetd running under systemd (journalctl -u hostnetd)"
else

  # No systemd: run the bus and the daemon ourselves.
  if ! dbus-send --system --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetId >/dev/null 2>&1; then
    mkdir -p /run/dbus
    rm -f /run/dbus/pid
    dbus-daemon --system --fork
    echo "started a system D-Bus (none was running)"
  else
    dbus-send --system --type=method_call --dest=org.freedesktop.DBus / org.freedesktop.DBus.ReloadConfig
  fi

  pidfile=/run/hostnetd.pid
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill "$(cat "$pidfile")"
    while kill -0 "$(cat "$pidfile")" 2>/dev/null; do sleep 0.1; done
  fi
  nohup /usr/local/sbin/hostnetd >>/var/log/hostnetd.log 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 50); do
    hostnetctl net-list >/dev/null 2>&1 && break
    sleep 0.1
  done
  echo "hostnetd running (pid $(cat "$pidfile"), log /var/log/hostnetd.log)"
fi
hostnetctl version

# libvirt's default network, as libvirt ships it, unless its name or subnet is already taken.
if hostnetctl net-info default >/dev/null 2>&1; then
  echo "a network named 'default' already exists; left as it is"
elif ip -o addr show to 192.168.122.0/24 | grep -q . || ip route show 192.168.122.0/24 | grep -q .; then
  echo "192.168.122.0/24 is already in use on this host ($(ip -o addr show to 192.168.122.0/24 | awk '{print $2}' | head -1)); not defining 'default'"
elif ! hostnetctl net-define scripts/default-network.xml; then
  # libvirt's own 'default' (libvirt installed, its network defined but not running) keeps its name.
  echo "not defining 'default' (see the error above)"
else
  hostnetctl net-autostart default
  hostnetctl net-start default || echo "could not start 'default' (see the error above); it stays defined"
fi
hostnetctl net-list --all
