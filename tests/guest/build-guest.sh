#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-guest.sh OUTDIR: builds OUTDIR/vmlinuz and OUTDIR/initrd.img, a tiny QEMU test guest
# (a virtio-net DHCP client with a command shell on its serial console, and lab checks' probes
# on a second one; see init).
#
# The kernel is the one linux-image-cloud-amd64 depends on (LZ4 bzImage, boots fast under TCG),
# the userland busybox-static. Both are downloaded with 'apt-get download', never installed;
# only the bzImage and the virtio-net modules are extracted. Nothing outside OUTDIR is written.
# busybox has no DHCPv6 client: the host's dhcpcd (Debian package dhcpcd-base, in the Makefile's
# DEB_PACKAGES; SLAAC and DHCPv6) is copied in with the shared libraries ldd names, when the host
# has it (/etc/kvmnet-guest says dhcpcd=none otherwise, and the tests needing it skip).
#
# Cached: does nothing when both outputs exist and are newer than this script, init,
# udhcpc.script and dhcpcd.script, and the host's dhcpcd is the one the guest has. Runs
# 'apt-get update' only when the packages cannot be resolved or downloaded with the lists at hand. Exit 77 (and a line naming what is missing) when the packages or the
# tools to fetch them are unavailable, so that callers can skip instead of fail.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
INPUTS=("$SELF" "$HERE/init" "$HERE/udhcpc.script" "$HERE/dhcpcd.script")
META=linux-image-cloud-amd64
BUSYBOX_PKG=busybox-static
DHCPCD=/usr/sbin/dhcpcd
# virtio-net and what it needs, in dependency order (checked below against each module's
# 'depends=' in its .modinfo section).
MODULES=(
    net/core/failover
    drivers/net/net_failover
    drivers/virtio/virtio_ring
    drivers/virtio/virtio
    drivers/virtio/virtio_pci_legacy_dev
    drivers/virtio/virtio_pci_modern_dev
    drivers/virtio/virtio_pci
    drivers/net/virtio_net
)

die() { echo "build-guest: $*" >&2; exit 1; }
unavailable() { echo "build-guest: unavailable: $*" >&2; exit 77; }

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
OUT=$1
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# What the guest's dhcpcd line says: the host binary's version and checksum, or none.
dhcpcd_id() {
    if [ -x "$DHCPCD" ]; then
        echo "$("$DHCPCD" --version | head -n1 | tr ' ' '-') $(md5sum <"$DHCPCD" | cut -c1-12)"
    else
        echo none
    fi
}

fresh() {
    local f i
    for f in "$OUT/vmlinuz" "$OUT/initrd.img"; do
        [ -s "$f" ] || return 1
        for i in "${INPUTS[@]}"; do
            [ "$f" -nt "$i" ] || return 1
        done
    done
    grep -qxF "dhcpcd=$(dhcpcd_id)" "$OUT/guest-info.txt" 2>/dev/null
}

fresh && exit 0

# One builder at a time per OUTDIR; whoever waited finds the result made.
exec 9>"$OUT/.build.lock"
flock 9
fresh && exit 0

for tool in apt-get apt-cache dpkg-deb tar find; do
    command -v "$tool" >/dev/null || unavailable "$tool (a Debian system is needed)"
done
case $(uname -m) in
    x86_64) ;;
    *) unavailable "an x86_64 host (the guest is amd64)" ;;
esac

WORK=$(mktemp -d "$OUT/.work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
chmod 700 "$WORK"
START=$SECONDS

# The kernel package the metapackage's candidate version depends on, e.g.
# linux-image-6.1.0-56-cloud-amd64 (old ABI versions leave the archive: never hard-code it).
kernel_pkg() {
    apt-cache show --no-all-versions "$META" 2>/dev/null \
        | sed -n 's/^Depends:.*\b\(linux-image-[0-9][^ ,]*\).*/\1/p' | head -n1
}

fetch() {
    local kpkg
    kpkg=$(kernel_pkg)
    [ -n "$kpkg" ] || return 1
    rm -f "$WORK"/debs/*.deb
    (cd "$WORK/debs" && apt-get download -q -o APT::Sandbox::User=root "$kpkg" "$BUSYBOX_PKG") \
        >"$WORK/apt.log" 2>&1 || return 1
    KPKG=$kpkg
}

mkdir "$WORK/debs"
if ! fetch; then
    echo "build-guest: apt-get download failed with the current lists; running apt-get update" >&2
    apt-get update -q >"$WORK/update.log" 2>&1 \
        || { cat "$WORK/update.log" >&2; unavailable "apt-get update failed (no package mirror?)"; }
    if ! fetch; then
        [ -f "$WORK/apt.log" ] && cat "$WORK/apt.log" >&2
        [ -n "$(kernel_pkg)" ] || unavailable "package $META (no kernel package found through it)"
        unavailable "packages $(kernel_pkg) and $BUSYBOX_PKG (apt-get download failed)"
    fi
fi
KDEB=$(ls "$WORK"/debs/"$KPKG"_*.deb)
BDEB=$(ls "$WORK"/debs/"$BUSYBOX_PKG"_*.deb)
KVER=${KPKG#linux-image-}

# ---- extract only what is needed -------------------------------------------------------------
X="$WORK/x"
mkdir "$X"
mods=()
for m in "${MODULES[@]}"; do mods+=("./lib/modules/$KVER/kernel/$m.ko"); done
dpkg-deb --fsys-tarfile "$KDEB" | tar -x -C "$X" "./boot/vmlinuz-$KVER" "${mods[@]}"
dpkg-deb --fsys-tarfile "$BDEB" | tar -x -C "$X" ./bin/busybox
BB="$X/bin/busybox"
[ -x "$BB" ] || die "no ./bin/busybox in $BDEB"

# ---- the initramfs tree ----------------------------------------------------------------------
R="$WORK/root"
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,run,tmp,etc,root,lib/modules}
cp "$BB" "$R/bin/busybox"
"$BB" --list-full | while read -r applet; do
    [ -e "$R/$applet" ] || ln -s /bin/busybox "$R/$applet"
done
[ -L "$R/bin/sh" ] || die "busybox has no sh applet"

seen=" "
: >"$R/etc/modules"
for m in "${MODULES[@]}"; do
    name=${m##*/}
    ko="$X/lib/modules/$KVER/kernel/$m.ko"
    [ -s "$ko" ] || die "module $m.ko missing from $KDEB"
    deps=$(tr '\0' '\n' <"$ko" | sed -n 's/^depends=//p' | head -n1)
    for d in ${deps//,/ }; do
        d=${d//-/_}
        case $seen in
            *" $d "*) ;;
            *) die "module $name depends on $d, which is not loaded before it (update MODULES)" ;;
        esac
    done
    seen="$seen$name "
    cp "$ko" "$R/lib/modules/$name.ko"
    echo "$name" >>"$R/etc/modules"
done

# dhcpcd and what its dynamic linker loads (ldd: the interpreter and each "=> /path"), at the
# paths the binary names; no privilege-separation user (dhcpcd then runs as root, unseparated).
if [ -x "$DHCPCD" ]; then
    cp "$DHCPCD" "$R/sbin/dhcpcd"
    ldd "$DHCPCD" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' \
        | sort -u | while read -r lib; do
            mkdir -p "$R$(dirname "$lib")"
            cp -L "$lib" "$R$lib"
        done
    mkdir -p "$R/var/lib/dhcpcd"
    ln -s /run "$R/var/run"
    install -m 0755 "$HERE/dhcpcd.script" "$R/etc/dhcpcd.script"
    # DUID-LL: the guest has no system UUID nor a lasting clock for DUID-LLT; kvmnetd reads the
    # MAC from it (lease list's mac).
    printf 'script /etc/dhcpcd.script\nduid ll\n' >"$R/etc/dhcpcd.conf"
fi

install -m 0755 "$HERE/init" "$R/init"
install -m 0755 "$HERE/udhcpc.script" "$R/etc/udhcpc.script"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\n' >"$R/etc/group"
printf 'kernel=%s\nbusybox=%s\ndhcpcd=%s\n' "$(basename "$KDEB")" "$(basename "$BDEB")" \
    "$(dhcpcd_id)" >"$R/etc/kvmnet-guest"

# ---- outputs (atomically) ------------------------------------------------------------------
(cd "$R" && find . -mindepth 1 | LC_ALL=C sort | "$BB" cpio -o -H newc -R 0:0) \
    >"$WORK/initrd.img" 2>"$WORK/cpio.log" || { cat "$WORK/cpio.log" >&2; die "cpio failed"; }
cp "$X/boot/vmlinuz-$KVER" "$WORK/vmlinuz"
cp "$R/etc/kvmnet-guest" "$OUT/guest-info.txt"
mv -f "$WORK/vmlinuz" "$OUT/vmlinuz"
mv -f "$WORK/initrd.img" "$OUT/initrd.img"
echo "build-guest: built $OUT/vmlinuz ($KPKG) and $OUT/initrd.img" \
    "($(du -k "$OUT/initrd.img" | cut -f1) KiB) in $((SECONDS - START)) s" >&2
