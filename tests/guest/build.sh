#!/bin/bash
# Builds the tiny guest of the integration tests from Debian packages:
#   OUTDIR/vmlinuz    the kernel of linux-image-cloud-amd64 (virtio-net is a module there)
#   OUTDIR/initrd.gz  busybox-static + the virtio-net modules + tests/guest/init as /init
# Usage: build.sh OUTDIR. Idempotent: does nothing when OUTDIR is up to date with this script and
# init (OUTDIR/STAMP). Downloads ~30 MB with `apt-get download` (needs dpkg, cpio, gzip; root only to run
# `apt-get update` when apt has no package lists).
set -euo pipefail
out=${1:?usage: build.sh OUTDIR}
here=$(dirname "$(realpath "$0")")

# Up to date = built by this very build.sh and init (by content: a fresh clone has new mtimes).
stamp=$(cat "$here/build.sh" "$here/init" | sha256sum | cut -d' ' -f1)
if [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.gz" ] && [ "$(cat "$out/STAMP" 2>/dev/null)" = "$stamp" ]; then
  exit 0
fi

mkdir -p "$out"
work=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

# The metapackage only depends on the current kernel package; fetch that one.
kernel() { apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}'; }
kpkg=$(kernel)
# A fresh machine may have no package lists yet (install-deps.sh updates them only to install).
[ -n "$kpkg" ] || [ "$(id -u)" != 0 ] || { apt-get update -qq; kpkg=$(kernel); }
[ -n "$kpkg" ] || { echo "build.sh: no linux-image-cloud-amd64 in apt's lists (apt-get update?)" >&2; exit 1; }
# As root, apt would drop to user _apt for the download, who cannot write to this 0700 dir.
[ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root) || sandbox=()
apt-get download -q "${sandbox[@]}" "$kpkg" busybox-static >/dev/null
dpkg -x linux-image-*.deb k
dpkg -x busybox-static_*.deb bb

mkdir -p root/{bin,sbin,proc,sys,dev,mods,etc}
cp bb/bin/busybox root/bin/
mods=$(ls -d k/lib/modules/*)
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net; do
  f=$(find "$mods" -name "$m.ko" -o -name "$m.ko.xz" | head -1)
  [ -n "$f" ] || { echo "build.sh: module $m not in $kpkg" >&2; exit 1; }
  case "$f" in
    *.xz) xz -dc "$f" > "root/mods/$m.ko" ;;  # busybox insmod takes plain .ko only
    *) cp "$f" "root/mods/$m.ko" ;;
  esac
done
install -m 755 "$here/init" root/init
(cd root && find . | cpio -o -H newc -R 0:0 --quiet | gzip -9) > initrd.gz

# Install both files by rename so that a reader never sees a half-written one.
cp k/boot/vmlinuz-* vmlinuz
echo "$kpkg $(dpkg-deb -f linux-image-*.deb Version)" > VERSION
chmod 644 vmlinuz initrd.gz VERSION
mv -f vmlinuz VERSION "$out/"
mv -f initrd.gz "$out/"
echo "$stamp" > "$out/STAMP"
