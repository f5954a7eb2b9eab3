# Sourced by Tests/Team/run: one GlusterFS volume on loopback with two FUSE mounts of it,
# started in the foreground or with pid files, and stopped by those PIDs only.
#
#   gluster_start WORKDIR   -> sets GLUSTER_M1, GLUSTER_M2 (mount points), GLUSTER_VOL
#   gluster_set OPTION VAL  -> a volume option (remount to apply to the clients)
#   gluster_mount [TIMEOUT_ARGS...] / gluster_unmount
#   gluster_stop            -> everything started, by PID
#
# The gluster CLI refuses bricks named localhost or 127.0.0.1, so the brick is on a host
# name that resolves to 127.0.0.1 (the machine's own name; a line is added to /etc/hosts
# when it resolves elsewhere or not at all).

GLUSTER_VOL=leadsteam
GLUSTER_PIDS=()

gluster_cli() {
    gluster --mode=script --glusterd-sock="$GLUSTER_WORK/glusterd.socket" "$@"
}

gluster_brick_host() {
    local host
    host=$(hostname)
    if [[ -z $host || $host == localhost ]]; then host=leads-team-brick; fi
    local addr
    addr=$(getent ahostsv4 "$host" | awk 'NR==1 {print $1}')
    if [[ $addr != 127.* ]]; then
        echo "127.0.0.1 $host" >> /etc/hosts
        echo "team: added '127.0.0.1 $host' to /etc/hosts (bricks need a name other than localhost)" >&2
    fi
    echo "$host"
}

gluster_start() {
    GLUSTER_WORK=$1
    mkdir -p "$GLUSTER_WORK/glusterd" "$GLUSTER_WORK/brick" "$GLUSTER_WORK/m1" "$GLUSTER_WORK/m2" "$GLUSTER_WORK/log"
    cat > "$GLUSTER_WORK/glusterd.vol" <<VOL
volume management
    type mgmt/glusterd
    option working-directory $GLUSTER_WORK/glusterd
    option transport-type socket
    option transport.socket.bind-address 127.0.0.1
    option transport.socket.listen-port 24007
    option glusterd-sockfile $GLUSTER_WORK/glusterd.socket
    option ping-timeout 0
    option event-threads 1
    option max-port 60999
end-volume
VOL
    glusterd -N -f "$GLUSTER_WORK/glusterd.vol" -l "$GLUSTER_WORK/log/glusterd.log" \
        --pid-file="$GLUSTER_WORK/glusterd.pid" &
    GLUSTER_PIDS+=($!)
    local i
    for i in $(seq 1 100); do
        gluster_cli volume list >/dev/null 2>&1 && break
        sleep 0.1
    done
    local host
    host=$(gluster_brick_host)
    gluster_cli volume create "$GLUSTER_VOL" "$host:$GLUSTER_WORK/brick" force >/dev/null
    gluster_cli volume start "$GLUSTER_VOL" >/dev/null
    GLUSTER_M1=$GLUSTER_WORK/m1
    GLUSTER_M2=$GLUSTER_WORK/m2
}

gluster_set() { gluster_cli volume set "$GLUSTER_VOL" "$1" "$2" >/dev/null; }

# gluster_mount [extra client args]: both mounts, each its own client process.
gluster_mount() {
    local m
    for m in m1 m2; do
        glusterfs --volfile-server=127.0.0.1 --volfile-id="$GLUSTER_VOL" "$@" \
            --log-file="$GLUSTER_WORK/log/$m.log" --pid-file="$GLUSTER_WORK/$m.pid" "$GLUSTER_WORK/$m"
    done
    for m in m1 m2; do
        local i
        for i in $(seq 1 100); do
            grep -q " $GLUSTER_WORK/$m fuse" /proc/mounts && break
            sleep 0.05
        done
        grep -q " $GLUSTER_WORK/$m fuse" /proc/mounts || { echo "team: mount $m did not appear" >&2; return 1; }
    done
}

gluster_unmount() {
    local m
    for m in m1 m2; do
        umount "$GLUSTER_WORK/$m" 2>/dev/null || umount -l "$GLUSTER_WORK/$m" 2>/dev/null || true
        if [[ -f $GLUSTER_WORK/$m.pid ]]; then
            kill "$(cat "$GLUSTER_WORK/$m.pid")" 2>/dev/null || true
            rm -f "$GLUSTER_WORK/$m.pid"
        fi
    done
}

gluster_stop() {
    [[ -n ${GLUSTER_WORK:-} ]] || return 0
    gluster_unmount
    gluster_cli volume stop "$GLUSTER_VOL" >/dev/null 2>&1 || true
    # The brick process and any daemon glusterd spawned write pid files under its working directory.
    local f
    while IFS= read -r f; do
        kill "$(cat "$f")" 2>/dev/null || true
    done < <(find "$GLUSTER_WORK/glusterd" "/var/run/gluster/vols/$GLUSTER_VOL" -name '*.pid' 2>/dev/null)
    local pid
    for pid in "${GLUSTER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${GLUSTER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    GLUSTER_PIDS=()
}
