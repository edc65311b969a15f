# SPDX-License-Identifier: GPL-2.0-or-later
# in_root ROOT CMD [ARG...]: run CMD with ROOT as its root (pivot_root) and /proc, /dev and
# /sys mounted, inside a private mount namespace: the mounts vanish with the
# namespace, so an interrupted run leaves nothing mounted on the host.
# Extra bind mounts: OCTOPUS_IN_ROOT_BINDS="HOSTDIR:ROOTDIR ..." (ROOTDIR is
# created; HOSTDIR must exist).
in_root() {
    _r=$1; shift
    OCTOPUS_IN_ROOT_BINDS=${OCTOPUS_IN_ROOT_BINDS:-} unshare --mount --propagation private -- /bin/sh -ec '
        r=$1; shift
        # the root a mount point of its own: "ip netns exec" remounts / as a slave
        mount --bind "$r" "$r"
        mount -t proc proc "$r/proc"
        mount --rbind /dev "$r/dev"
        mount --rbind /sys "$r/sys"
        mkdir -p "$r/tmp" && chmod 1777 "$r/tmp"
        for b in $OCTOPUS_IN_ROOT_BINDS; do
            mkdir -p "$r${b#*:}"
            mount --bind "${b%%:*}" "$r${b#*:}"
        done
        # pivot_root, not chroot: the root is then the mount namespace'"'"'s
        # own, as on a real node, and spank_container'"'"'s pivot_root into an
        # image works (the kernel refuses it to a chrooted process)
        cd "$r"
        mkdir -p .octopus-old-root
        pivot_root . .octopus-old-root
        exec /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            HOME=/root LANG=C.UTF-8 TERM=dumb OCTO_RELEASE_ROOT=1 /bin/sh -c '"'"'
                cd / && umount -l /.octopus-old-root && rmdir /.octopus-old-root; exec "$@"'"'"' in-root "$@"
    ' in-root "$_r" "$@"
}
