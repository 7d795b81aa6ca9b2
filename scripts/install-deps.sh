#!/usr/bin/env bash
# Installs what hostnet needs on Debian 12, and only what is missing (fast when all is there).
#   install-deps.sh          build and run
#   install-deps.sh --test   also everything the test suite uses
#   install-deps.sh --bench  also what the benchmarks compare against (libvirtd)
set -euo pipefail

build=(meson ninja-build pkg-config g++ libsdbus-c++-dev libsdbus-c++-bin libtinyxml2-dev libmnl-dev
       libsystemd-dev libexpected-dev nlohmann-json3-dev libnftables-dev libvirt-dev dbus iproute2 dnsmasq-base)
test=(libgtest-dev libvirt-clients python3-pytest iputils-ping busybox nftables tcpdump isc-dhcp-client
      util-linux procps python3-dbus openvswitch-switch systemd polkitd
      libvirt-daemon-system libvirt-daemon-driver-qemu qemu-system-x86 virtinst cpio iptables
      openvswitch-switch-dpdk dpdk dpdk-dev)

bench=(libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients iptables iperf3)

want=("${build[@]}")
[ "${1:-}" = --test ] && want+=("${test[@]}")
[ "${1:-}" = --bench ] && want+=("${test[@]}" "${bench[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" = 0 ] || { echo "install-deps: missing ${missing[*]}; run as root to install them" >&2; exit 1; }
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --force-confnew: libvirt's packages must create their default configs (and users) unasked.
apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confnew "${missing[@]}" >/dev/null
