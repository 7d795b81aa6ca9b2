#!/usr/bin/env bash
# Installs what hostnet needs on Debian 12, and only what is missing (fast when all is there).
#   install-deps.sh          build and run
#   install-deps.sh --test   also everything the test suite uses
#   install-deps.sh --bench  also what the benchmarks compare against (libvirtd)
set -euo pipefail

build=(meson ninja-build pkg-config g++ libsdbus-c++-dev libsdbus-c++-bin libtinyxml2-dev libmnl-dev
       libsystemd-dev libexpected-dev nlohmann-json3-dev libnftables-dev libvirt-dev dbus iproute2 dnsmasq-base)
test=(libgtest-dev libvirt-clients python3-pytest iputils-ping busybox nftables tcpdump isc-dhcp-client
      util-linux procps python3-dbus openvswitch-switch systemd polkitd python3-firewall python3-nftables
      libvirt-daemon-system libvirt-daemon-driver-qemu qemu-system-x86 virtinst cpio iptables
      openvswitch-switch-dpdk dpdk dpdk-dev openvswitch-testcontroller python3-os-ken)

bench=(libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients iptables iperf3)

want=("${build[@]}")
[ "${1:-}" = --test ] && want+=("${test[@]}")
[ "${1:-}" = --bench ] && want+=("${test[@]}" "${bench[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "install-deps: missing ${missing[*]}; run as root to install them" >&2; exit 1; }
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # --force-confnew: libvirt's packages must create their default configs (and users) unasked.
  apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confnew "${missing[@]}" >/dev/null
fi

# The tests run their own firewalld, on their private bus in their namespaces. Installing the
# package would enable and start one on the host itself (taking over its firewall), so the
# daemon is unpacked beside the tests instead, never registered as a service; its Python
# library (python3-firewall, above) is an ordinary package.
if [ "${1:-}" = --test ] || [ "${1:-}" = --bench ]; then
  fw=/var/lib/hostnet-tests/firewalld
  if [ ! -x "$fw/usr/sbin/firewalld" ]; then
    [ "$(id -u)" = 0 ] || { echo "install-deps: firewalld for the tests is missing; run as root" >&2; exit 1; }
    echo "unpacking firewalld for the tests into $fw"
    tmp=$(mktemp -d) && chmod 755 "$tmp"  # apt's download user writes there
    (cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root firewalld >/dev/null) ||
      (apt-get update -qq && cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root firewalld >/dev/null)
    mkdir -p "$fw"
    dpkg -x "$tmp"/firewalld_*.deb "$fw"
    rm -rf "$tmp"
  fi
fi
