#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# octopus-bridge and octopus-jwt-minter against a real cluster: slurmrestd
# with auth/jwt, job_submit/octopus with the machine types of
# tests/integration/octopus/, grants from octopus-quota. The minter runs as
# SlurmUser (the only reader of the signing key), the bridge as octorest
# with its own socket; requests come signed as from the portal's proxy
# (tests/integration/bridge/bapi). Own cluster instance.
load helpers

# setup_file points OCTO_CLUSTER_INSTANCE at this instance; keep its name
BR=${OCTO_BR_INSTANCE:-${OCTO_CLUSTER_INSTANCE:0:5}br}
FIX=$BATS_TEST_DIRNAME/octopus
BAPI=$BATS_TEST_DIRNAME/bridge/bapi

setup_file() {
    local plugstack
    plugstack=$(mktemp)
    echo "required $OCTO_STAGE_PLUGINDIR/spank_machine_type.so" > "$plugstack"
    "$CLUSTER_TOOL" -i "$BR" up --plugin-dir "$OCTO_STAGE_PLUGINDIR" \
        --slurm-conf-extra "$FIX/slurm.conf.extra" --gres-conf "$FIX/gres.conf" \
        --node-gres gpu:a100:4,gpu:v100:2 --fake-devices 6 \
        --etc-file "$FIX/octopus.conf" --plugstack "$plugstack" >&3 2>&1
    rm -f "$plugstack"
    export OCTO_BR_INSTANCE=$BR
    eval "$("$CLUSTER_TOOL" -i "$BR" env)"
    export OCTO_CLUSTER_INSTANCE OCTO_CLUSTER_DIR OCTO_REST_SOCKET
    export BD=$OCTO_CLUSTER_DIR/bridge
    export QUOTA="$OCTO_STAGE_PREFIX/bin/octopus-quota" LEDGER="$OCTO_CLUSTER_DIR/bridge/lib/grants.db"
    export MINTER="$OCTO_STAGE_PREFIX/sbin/octopus-jwt-minter" BRIDGE="$OCTO_STAGE_PREFIX/sbin/octopus-bridge"
    export BROKER="$OCTO_STAGE_PREFIX/sbin/octopus-file-broker"
    install -d -m 755 "$BD/minter"
    install -d -o octorest -m 755 "$BD/run" "$BD/lib"
    install -d -m 755 "$BD/broker" "$BD/volumes"
    # an OIDC provider's signing key, published as a JWKS; and a stranger's
    openssl genrsa -out "$BD/idp.pem" 2048 2>/dev/null
    openssl genrsa -out "$BD/other.pem" 2048 2>/dev/null
    "$BATS_TEST_DIRNAME/bridge/oidc-token" "$BD/idp.pem" jwks "$BD/jwks.json" idp-1
    chmod 644 "$BD/jwks.json"
    # the IDE instances run: a stand-in that any job user can execute
    install -d -m 755 "$BD/ide"
    install -m 755 "$BATS_TEST_DIRNAME/bridge/echo-ide" "$BD/ide/echo-ide"
    cat > "$BD/ides.conf" <<IDES
Ide=echo Description="echo IDE for tests" AuthHeader="Authorization: token %p" StartTimeout=60 \\
    Command="exec /usr/bin/python3 $BD/ide/echo-ide"
IDES
    openssl rand -hex 32 > "$BD/secret"
    chown octorest: "$BD/secret"
    chmod 600 "$BD/secret"
    cat > "$BD/bridge.conf" <<CONF
# octopus-bridge for tests/integration/80-bridge.bats
Listen=unix:$BD/run/api.sock
Slurmrestd=unix:$OCTO_REST_SOCKET
MinterSocket=$BD/minter/minter.sock
Database=$BD/lib/bridge.db
MachineTypes=$OCTO_CLUSTER_DIR/etc/octopus.conf
Ledger=$LEDGER
ReconcileTrigger=$BD/run/reconcile
FileBroker=$BD/broker/broker.sock
VolumeRoot=$BD/volumes
ProxySecretFile=$BD/secret
OidcJwks=$BD/jwks.json
OidcIssuer=https://idp.test/realms/hpc
OidcAudience=octopus
Admins=octoadmin
MaxBody=8192
SubmitRate=20
Instances=$BD/ides.conf
InstanceHosts=^$BR-n[0-9]+\$
MaxInstances=2
ServerTiming=yes
CONF
    start_minter
    "$BROKER" --socket "$BD/broker/broker.sock" --client-user octorest --volume-root "$BD/volumes" \
        >> "$BD/broker.log" 2>&1 3>&- &
    wait_until 10 test -S "$BD/broker/broker.sock"
    start_bridge
    start_sync_watcher
    # the jobs' working directory, in each user's home
    for u in octouser octouser2 octoadmin; do
        install -d -o "$u" -g "$u" -m 755 "/home/$u/bridge-test"
    done
    quota grant octouser a100x1 2 --account octo --days 7 --reason "bridge tests" >&3
    quota grant octouser2 a100x1 1 --account octo --days 7 --reason "bridge tests" >&3
    quota sync >&3
}

teardown_file() {
    [ -z "${BD:-}" ] || touch "$BD/stop-sync"
    stop_bridge
    [ -z "${BD:-}" ] || pkill -TERM -f "^$MINTER .*$BD/" 2>/dev/null || true
    [ -z "${BD:-}" ] || pkill -TERM -f "^$BROKER .*$BD/" 2>/dev/null || true
    [ -z "${OCTO_CLUSTER_DIR:-}" ] || [ ! -d "$OCTO_CLUSTER_DIR" ] || "$CLUSTER_TOOL" -i "$BR" down >&3 2>&1
    rm -rf /home/octouser/bridge-test /home/octouser2/bridge-test /home/octoadmin/bridge-test
    # what the instances left in the homes
    rm -rf /home/octouser/.octopus /home/octouser2/.octopus /home/octouser/nb*-[0-9]*.out /home/octouser2/big-[0-9]*.out
}

quota() { cluster_exec -- "$QUOTA" --ledger "$LEDGER" "$@"; }

start_minter() {
    # reads the key and binds as root, then runs as SlurmUser
    "$MINTER" --key "$OCTO_CLUSTER_DIR/etc/jwt_hs256.key" --socket "$BD/minter/minter.sock" \
        --client-user octorest --user slurm --rate 120 >> "$BD/minter.log" 2>&1 &
    wait_until 10 test -S "$BD/minter/minter.sock"
}

# In the head's network namespace, as at a site: it reaches the nodes'
# addresses (the IDEs of instances); everything else it uses is a unix socket.
start_bridge() {
    rm -f "$BD/run/api.sock"
    # OCTO_BRIDGE_WRAP: e.g. "valgrind --log-file=/tmp/vg.%p" to debug the bridge here
    # shellcheck disable=SC2086
    nsenter --net="/run/netns/octo-$BR-h" setpriv --reuid=octorest --regid=octorest --clear-groups -- \
        ${OCTO_BRIDGE_WRAP:-} "$BRIDGE" -f "$BD/bridge.conf" >> "$BD/bridge.log" 2>&1 &
    echo $! > "$BD/bridge.pid"
    wait_until 10 test -S "$BD/run/api.sock"
}

# What contrib's octopus-quota-sync.path does at a site: run the sync (as
# root: it calls sacctmgr) whenever the bridge touches ReconcileTrigger=.
# Bounded: ends with the file's tests, or after 15 minutes.
start_sync_watcher() {
    (
        last="" end=$((SECONDS + 900))
        while [ $SECONDS -lt $end ] && [ -d "$BD" ] && [ ! -e "$BD/stop-sync" ]; do
            now=$(cat "$BD/run/reconcile" 2>/dev/null || true)
            if [ -n "$now" ] && [ "$now" != "$last" ]; then
                last=$now
                quota sync >> "$BD/sync.log" 2>&1
                echo "synced $now" >> "$BD/sync.log"
            fi
            sleep 0.3
        done
    ) > /dev/null 2>&1 3>&- &
}

stop_bridge() {
    [ -n "${BD:-}" ] && [ -f "$BD/bridge.pid" ] || return 0
    kill -TERM "$(cat "$BD/bridge.pid")" 2>/dev/null || true
    wait_until 10 sh -c "! kill -0 $(cat "$BD/bridge.pid") 2>/dev/null" || true
}

# api USER METHOD PATH [curl args]: body, then the status on the last line
api() { "$BAPI" "$BD/run/api.sock" "$BD/secret" "$@"; }
status_of() { tail -n1 <<< "$1"; }
# expect JQ-ARGS...: the last answer's body passes jq -e; else it is shown
expect() { body_of "$output" | jq -e "$@" > /dev/null || { echo "body: $(body_of "$output")" >&3; return 1; }; }
body_of() { sed '$d' <<< "$1"; }
# record NAME [JQ]: keep the last answer's body (or JQ of it) for
# tests/api-compare, which checks /api/v1 is the same document on every Slurm
# release; node names lose this instance's prefix, as the releases' differ
record() {
    [ -n "${OCTO_API_RECORD_DIR:-}" ] || return 0
    mkdir -p "$OCTO_API_RECORD_DIR"
    # and a job's id inside its file names (bridged-7.out) is the run's own
    body_of "$output" | jq --arg id "${id:-}" "${2:-.}"' | walk(if type == "string" and $id != ""
            then gsub("-" + $id + "\\."; "-JOBID.") else . end)' |
        sed "s/$BR-n/INST-n/g; s/\"octo$BR\"/\"CLUSTER\"/g" > "$OCTO_API_RECORD_DIR/$1.json"
}
# mint USER: the minter's answer line, asked as root over its socket
mint() {
    python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"MINT %s\n" % sys.argv[2].encode())
print(s.recv(4096).decode().strip())' "$BD/minter/minter.sock" "$1"
}
submit() {   # submit USER JSON
    api "$1" POST /api/v1/jobs -H 'Content-Type: application/json' --data-binary "$2"
}
body_for() {  # body_for USER NAME COMMAND [UNITS]
    jq -nc --arg n "$2" --arg c "$3" --argjson u "${4:-1}" --arg w "/home/$1/bridge-test" \
        '{name: $n, machine_type: "a100x1", units: $u, command: $c, hours: 1, workdir: $w}'
}
cancel_all() {
    cluster_exec -- scancel -u octouser; cluster_exec -- scancel -u octouser2; cluster_exec -- scancel -u octoadmin
    wait_until 30 sh -c "[ -z \"\$('$CLUSTER_TOOL' -i '$BR' exec -- squeue -h -o %i)\" ]"
}

@test "the minter: a 0600 socket for the bridge's user; refuses root, SlurmUser, system and unknown users" {
    [ "$(stat -c '%a %U' "$BD/minter/minter.sock")" = "600 octorest" ]
    [ "$(stat -c '%a %U' "$OCTO_CLUSTER_DIR/etc/jwt_hs256.key")" = "600 slurm" ]
    [[ "$(mint octouser)" == "OK "* ]]
    [ "$(mint root)" = "ERR refused user root has uid 0" ]
    [ "$(mint slurm)" = "ERR refused user slurm is SlurmUser" ]
    [ "$(mint octorest)" = "ERR refused user octorest has uid $(id -u octorest), outside the users' range 1000-60000" ]
    [ "$(mint nobody-here)" = "ERR refused user nobody-here does not exist on this host" ]
    [ "$(mint 'a b')" = "ERR bad_request expected 'MINT <user>\\n'" ]
    # another local user cannot even connect
    run setpriv --reuid=octouser --regid=octouser --clear-groups -- python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])' "$BD/minter/minter.sock"
    [ "$status" -ne 0 ]
    [[ "$output" == *"Permission denied"* ]]
    [ "$(ps -o user= -p "$(pgrep -f "^$MINTER .*$BD/")")" = slurm ]
    grep -q "minted for octouser uid=$(id -u octouser) exp=" "$BD/minter.log"
    grep -q "refused root (pid [0-9]*): user root has uid 0" "$BD/minter.log"
    # --rate 120: a burst of 130 mints for one user runs into the limit
    run python3 -c 'import socket,sys
n = 0
for i in range(130):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"MINT octouser2\n")
    n += s.recv(4096).startswith(b"ERR rate_limited"); s.close()
print(n)' "$BD/minter/minter.sock"
    [ "$output" -ge 5 ] && [ "$output" -le 12 ] || { echo "rate-limited: $output" >&3; return 1; }
    grep -q "rate-limited octouser2" "$BD/minter.log"
}

@test "a minted token works at slurmrestd for that user only" {
    tok=$(mint octouser | awk '{print $3}')
    run curl -s --unix-socket "$OCTO_REST_SOCKET" -H "X-SLURM-USER-NAME: octouser" -H "X-SLURM-USER-TOKEN: $tok" \
        -w '\n%{http_code}' http://x/slurm/$OCTO_REST_VERSION/ping
    [ "$(status_of "$output")" = 200 ]
    # the same token under another name: slurmrestd/slurmctld refuse it
    run curl -s --unix-socket "$OCTO_REST_SOCKET" -H "X-SLURM-USER-NAME: octouser2" -H "X-SLURM-USER-TOKEN: $tok" \
        -w '\n%{http_code}' http://x/slurm/$OCTO_REST_VERSION/jobs
    body_of "$output" | jq -e '(.errors | length) > 0'
}

@test "healthz and readyz answer without credentials" {
    run api - GET /api/v1/healthz
    [ "$(status_of "$output")" = 200 ]
    body_of "$output" | jq -e '.status == "ok"'
    run api - GET /api/v1/readyz
    [ "$(status_of "$output")" = 200 ]
    body_of "$output" | jq -e '.slurmrestd == "up"'
}

@test "no credentials, a forged or stale signature, another route's signature: 401 with a JSON error" {
    run api - GET /api/v1/me
    [ "$(status_of "$output")" = 401 ]
    body_of "$output" | jq -e '.error.code == "unauthenticated" and (.error.request_id | length) > 0'
    BAPI_SIG=$(printf '%064d' 0) run api octouser GET /api/v1/me
    [ "$(status_of "$output")" = 401 ]
    body_of "$output" | jq -e '.error.message == "X-Octopus-Signature does not match"'
    BAPI_TIME=$(($(date +%s) - 300)) run api octouser GET /api/v1/me
    [ "$(status_of "$output")" = 401 ]
    body_of "$output" | jq -e '.error.message | test("-30[0-9] s away")'
    # a signature made for GET /api/v1/me does not open DELETE /api/v1/jobs/1
    t=$(date +%s)
    sig=$(printf 'v1\n%s\n%s\n%s\n%s' octouser "$t" GET /api/v1/me | openssl dgst -sha256 -hmac "$(cat "$BD/secret")" | awk '{print $NF}')
    BAPI_TIME=$t BAPI_SIG=$sig run api octouser DELETE /api/v1/jobs/1
    [ "$(status_of "$output")" = 401 ]
    run curl -s --unix-socket "$BD/run/api.sock" -H 'Authorization: Bearer eyJhbGciOiJub25lIn0.eyJzdW4iOiJyb290In0.' \
        -w '\n%{http_code}' http://b/api/v1/me
    [ "$(status_of "$output")" = 401 ]
}

@test "OIDC access tokens: RS256 from the provider's key, for this audience, in time; forgeries refused" {
    oidc() { "$BATS_TEST_DIRNAME/bridge/oidc-token" "${1:-$BD/idp.pem}" token "${2:-idp-1}" "${3:-https://idp.test/realms/hpc}" \
        "${4:-octopus}" "${5:-octouser}" "${6:-300}" "${7:-RS256}"; }
    bearer() { curl -s --unix-socket "$BD/run/api.sock" -H "Authorization: Bearer $1" -w '\n%{http_code}' http://b/api/v1/me; }
    run bearer "$(oidc)"
    [ "$(status_of "$output")" = 200 ] || { echo "$output" >&3; return 1; }
    body_of "$output" | jq -e '.user == "octouser" and .auth == "oidc"'
    run bearer "$(oidc "" "" "" "" "" -120)"
    [ "$(status_of "$output")" = 401 ]
    body_of "$output" | jq -e '.error.message == "the token has expired"'
    run bearer "$(oidc "$BD/other.pem")"
    [ "$(status_of "$output")" = 401 ]
    body_of "$output" | jq -e '.error.message == "the token'"'"'s signature does not verify"'
    run bearer "$(oidc "" "" https://evil.example)"
    [ "$(status_of "$output")" = 401 ]
    run bearer "$(oidc "" "" "" other-app)"
    [ "$(status_of "$output")" = 401 ]
    run bearer "$(oidc "" "" "" "" "" "" none)"
    [ "$(status_of "$output")" = 401 ]
    body_of "$output" | jq -e '.error.message == "only RS256 tokens are accepted"'
    run bearer "$(oidc "" "" "" "" "" "" HS256)"
    [ "$(status_of "$output")" = 401 ]
    # a valid token for root is still root
    run bearer "$(oidc "" "" "" "" root)"
    [ "$(status_of "$output")" = 403 ]
    # an OIDC-only site: a recent sign-in (auth_time) may create a personal token, an old or unknown one may not
    mkpat() { curl -s --unix-socket "$BD/run/api.sock" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
        -d '{"name":"cli-oidc","scopes":["read"]}' -w '\n%{http_code}' http://b/api/v1/tokens; }
    run mkpat "$(oidc)"
    [ "$(status_of "$output")" = 403 ]
    expect '.error.code == "reauthenticate" and (.error.message | test("missing"))'
    run mkpat "$(OIDC_AUTH_AGE=3600 oidc)"
    [ "$(status_of "$output")" = 403 ]
    expect '.error.message | test("too old")'
    run mkpat "$(OIDC_AUTH_AGE=20 oidc)"
    [ "$(status_of "$output")" = 201 ] || { echo "$output" >&3; return 1; }
    pat=$(body_of "$output" | jq -r .token)
    [[ "$pat" == pat_* ]]
    run curl -s --unix-socket "$BD/run/api.sock" -H "Authorization: Bearer $pat" -w '\n%{http_code}' http://b/api/v1/me
    expect '.user == "octouser" and .auth == "token"'
    run api octouser DELETE "/api/v1/tokens/$(body_of "$(api octouser GET /api/v1/tokens)" | jq -r '.tokens[] | select(.name == "cli-oidc") | .id')"
    [ "$(status_of "$output")" = 200 ]
}

@test "the provider rotates its keys: a new JWKS file is picked up without a restart; a broken one keeps the last good keys" {
    oidc() { "$BATS_TEST_DIRNAME/bridge/oidc-token" "$1" token "$2" https://idp.test/realms/hpc octopus octouser 300; }
    code() { curl -s -o /dev/null -w '%{http_code}' --unix-socket "$BD/run/api.sock" -H "Authorization: Bearer $1" http://b/api/v1/me; }
    cp "$BD/jwks.json" "$BD/jwks.orig"
    [ "$(code "$(oidc "$BD/idp.pem" idp-1)")" = 200 ]
    [ "$(code "$(oidc "$BD/other.pem" idp-2)")" = 401 ]
    # a half-written file: refused, logged, the old key still works
    printf '{"keys": [' > "$BD/jwks.new" && chmod 644 "$BD/jwks.new" && mv "$BD/jwks.new" "$BD/jwks.json"
    # the file is looked at when a token is checked, at most every 5 s
    tok1=$(oidc "$BD/idp.pem" idp-1)
    poke_until_logged() { code "$tok1" > /dev/null; grep -q "$1" "$BD/bridge.log"; }
    wait_until 15 poke_until_logged "does not load.*the last good keys stay in use"
    [ "$(code "$(oidc "$BD/idp.pem" idp-1)")" = 200 ]
    run api octoadmin GET /metrics
    body_of "$output" | grep -q '^octopus_bridge_oidc_jwks_refused_total [1-9]'
    # the rotation: the new key is taken, the old one is gone
    "$BATS_TEST_DIRNAME/bridge/oidc-token" "$BD/other.pem" jwks "$BD/jwks.new" idp-2
    chmod 644 "$BD/jwks.new" && mv "$BD/jwks.new" "$BD/jwks.json"
    tok2=$(oidc "$BD/other.pem" idp-2)
    wait_until 15 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --unix-socket '$BD/run/api.sock' -H 'Authorization: Bearer $tok2' http://b/api/v1/me)\" = 200 ]"
    [ "$(code "$(oidc "$BD/idp.pem" idp-1)")" = 401 ]
    grep -q "reloaded: 1 signing keys" "$BD/bridge.log"
    # back to the first key for the tests that follow
    mv "$BD/jwks.orig" "$BD/jwks.json"
    tok1=$(oidc "$BD/idp.pem" idp-1)
    wait_until 15 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --unix-socket '$BD/run/api.sock' -H 'Authorization: Bearer $tok1' http://b/api/v1/me)\" = 200 ]"
}

@test "root, SlurmUser, system and unknown users are refused even with a valid signature" {
    for u in root slurm octorest ghost-user; do
        run api "$u" GET /api/v1/me
        [ "$(status_of "$output")" = 403 ] || { echo "$u: $output" >&3; return 1; }
        body_of "$output" | jq -e '.error.code == "forbidden"'
    done
}

@test "/me and /machine-types" {
    run api octouser GET /api/v1/me
    [ "$(status_of "$output")" = 200 ]
    body_of "$output" | jq -e --argjson uid "$(id -u octouser)" '.user == "octouser" and .uid == $uid and .admin == false'
    # its Slurm associations as slurmdbd holds them, its grant (setup gave
    # 2 x a100x1), none of it in use
    expect '[.associations[] | select(.account == "octo" and .default == true)] | length == 1'
    expect '[.grants[] | {machine_type, units, status}] == [{"machine_type": "a100x1", "units": 2, "status": "active"}]'
    expect '[.associations[] | select(.grp_tres != null and (.grp_tres | test("license/mt_a100x1=2")))] | length == 1'
    expect '.usage.running_jobs == 0 and .usage.machine_types == [{"machine_type": "a100x1", "running_units": 0, "granted_units": 2, "granted_until": .grants[0].end}]'
    record me 'del(.grants[].id)'
    run api octouser2 GET /api/v1/me
    expect '[.grants[] | .units] == [1] and .usage.machine_types[0].granted_units == 1'
    # the newest Slurm REST version both know: v0.0.38 on 22.05, v0.0.42 on 24.11, v0.0.45 on 26.05
    run api - GET /api/v1/readyz
    expect --arg v "$OCTO_REST_VERSION" '.status == "ready" and .slurm_api == {"version": $v, "chosen": "negotiated"}'
    run api octoadmin GET /metrics
    body_of "$output" | grep -qx "octopus_bridge_slurm_api_info{version=\"$OCTO_REST_VERSION\",chosen=\"negotiated\"} 1"
    run api octoadmin GET /api/v1/me
    body_of "$output" | jq -e '.admin == true'
    run api octouser GET /api/v1/machine-types
    [ "$(status_of "$output")" = 200 ]
    body_of "$output" | jq -e '[.machine_types[].name] == ["a100x1", "a100x2", "v100x1"]'
    body_of "$output" | jq -e '.machine_types[0].gres_per_unit == "gpu:a100:1" and .machine_types[0].partitions == ["gpu"]'
    record machine-types
    # the nodes while nothing runs, for tests/api-compare
    run api octoadmin GET /api/v1/admin/nodes
    [ "$(status_of "$output")" = 200 ]
    record admin-nodes
}

@test "a job submitted through the bridge runs as its user, shaped by its machine type" {
    run submit octouser "$(body_for octouser bridged 'echo "$(id -un) $OCTOPUS_MACHINE_TYPE $SLURM_JOB_PARTITION"' 1)"
    [ "$(status_of "$output")" = 201 ] || { echo "$output" >&3; return 1; }
    id=$(body_of "$output" | jq -r .id)
    [[ "$id" =~ ^[0-9]+$ ]]
    wait_until 60 job_done "$id"
    [ "$(cat "/home/octouser/bridge-test/bridged-$id.out")" = "octouser a100x1:1 gpu" ]
    run cluster_exec -- scontrol show job "$id"
    [[ "$output" == *"UserId=octouser("* ]]
    [[ "$output" == *"license/mt_a100x1=1"* ]] || [[ "$output" == *"Licenses=mt_a100x1:1"* ]]
    [[ "$output" == *"Comment=portal:job"* ]]
    # the same finished job as every release's bridge shows it
    run api octouser GET "/api/v1/jobs/$id"
    [ "$(status_of "$output")" = 200 ]
    record job
    run api octouser GET /api/v1/jobs
    record job-in-list '.jobs[] | select(.id == ($id | tonumber))'
}

@test "job requests the bridge refuses: bad JSON, unknown fields, big bodies, paths outside the home, cross-site forms" {
    run submit octouser '{"name": "x",'
    [ "$(status_of "$output")" = 400 ]
    body_of "$output" | jq -e '.error.code == "invalid_json"'
    run submit octouser '{"name":"x","machine_type":"a100x1","command":"true","hours":1,"user_id":0}'
    [ "$(status_of "$output")" = 400 ]
    body_of "$output" | jq -e '.error.message | startswith("user_id: unknown field")'
    run submit octouser "{\"name\":\"x\",\"machine_type\":\"a100x1\",\"command\":\"$(head -c 9000 /dev/zero | tr '\0' a)\",\"hours\":1}"
    [ "$(status_of "$output")" = 413 ]
    body_of "$output" | jq -e '.error.code == "body_too_large"'
    run submit octouser '{"name":"x","machine_type":"a100x1","command":"true","hours":1,"workdir":"/etc"}'
    [ "$(status_of "$output")" = 400 ]
    body_of "$output" | jq -e '.error.message | test("workdir: /etc is not in your home")'
    # a symlink in the home that leads out of it is out of it
    ln -sfn /tmp "/home/octouser/bridge-test/out"
    run submit octouser '{"name":"x","machine_type":"a100x1","command":"true","hours":1,"workdir":"/home/octouser/bridge-test/out"}'
    [ "$(status_of "$output")" = 400 ]
    rm -f /home/octouser/bridge-test/out
    run submit octouser '{"name":"x","machine_type":"h100x9","command":"true","hours":1}'
    [ "$(status_of "$output")" = 400 ]
    body_of "$output" | jq -e '.error.message | test("no machine type .h100x9. \\(there are: a100x1, a100x2, v100x1\\)")'
    run submit octouser '{"name":"x","machine_type":"a100x1","units":5,"command":"true","hours":1}'
    [ "$(status_of "$output")" = 400 ]
    body_of "$output" | jq -e '.error.message == "units: a100x1 allows at most 4 units per job"'
    run submit octouser '{"name":"x","machine_type":"a100x1","command":"true","hours":1,"env":{"LD_PRELOAD":"/x.so"}}'
    [ "$(status_of "$output")" = 400 ]
    run api octouser GET /api/v1/jobs -d 'x=1'
    [ "$(status_of "$output")" = 400 ]
    # what a cross-site page can send without a CORS preflight -- a form or
    # a text/plain body, also one shaped like JSON -- is refused: a cookie
    # session at the proxy cannot be ridden to submit, approve or cancel
    n0=$(cluster_exec -- squeue -h -u octouser | wc -l)
    good='{"name":"csrf","machine_type":"a100x1","command":"true","hours":1}'
    BAPI_CTYPE=application/x-www-form-urlencoded run api octouser POST /api/v1/jobs --data-binary "$good"
    [ "$(status_of "$output")" = 415 ]
    expect '.error.code == "unsupported_media_type"'
    BAPI_CTYPE=text/plain run api octouser POST /api/v1/jobs --data-binary "$good"
    [ "$(status_of "$output")" = 415 ]
    BAPI_CTYPE= run api octouser POST /api/v1/volumes
    [ "$(status_of "$output")" = 415 ]
    [ "$(cluster_exec -- squeue -h -u octouser | wc -l)" = "$n0" ]
    BAPI_CTYPE='application/json; charset=utf-8' run api octouser POST /api/v1/jobs --data-binary '{"name":'
    [ "$(status_of "$output")" = 400 ]
    # no preflight is ever answered with an allow
    run curl -s -i --unix-socket "$BD/run/api.sock" -X OPTIONS -H 'Origin: https://evil.example' \
        -H 'Access-Control-Request-Method: POST' http://b/api/v1/jobs
    [[ "$output" == *" 405 "* ]]
    [[ "$output" != *Access-Control-Allow* ]]
}

# strict JSON: the whole answer must decode as UTF-8 and parse
strict_json() { body_of "$1" | python3 -c 'import json,sys; json.loads(sys.stdin.buffer.read().decode("utf-8", "strict"))'; }

@test "bridge input hygiene: bad UTF-8, NUL, duplicate keys, trailing bytes and bad query numbers are 400 naming the field" {
    # invalid UTF-8 in a text field, anywhere in the body
    run api octouser POST /api/v1/quota-requests --data-binary $'{"machine_type":"a100x1","units":1,"end":9999999999,"reason":"bad \xff byte"}'
    [ "$(status_of "$output")" = 400 ]
    expect '.error.code == "invalid_field" and (.error.message | startswith("reason: ")) and (.error.message | test("UTF-8"))'
    strict_json "$output"
    run submit octouser $'{"name":"x","machine_type":"a100x1","command":"echo \xc3\x28","hours":1}'
    [ "$(status_of "$output")" = 400 ]
    expect '.error.message | startswith("command: ")'
    run submit octouser $'{"name":"x","machine_type":"a100x1","command":"true","hours":1,"env":{"OK":"\xed\xa0\x80"}}'
    [ "$(status_of "$output")" = 400 ]
    expect '.error.message | startswith("env.OK: ")'
    # \u0000 would cut "a\u0000b" to "a": refused, and no volume "a" appears
    run api octouser POST /api/v1/volumes --data-binary '{"name":"a\u0000b"}'
    [ "$(status_of "$output")" = 400 ]
    expect '(.error.message | startswith("name: ")) and (.error.message | test("NUL"))'
    run api octouser GET /api/v1/volumes
    expect '[.volumes[] | select(.name == "a")] | length == 0'
    # a key twice, bytes after the body
    run submit octouser '{"name":"x","machine_type":"a100x1","command":"true","hours":1,"hours":900}'
    [ "$(status_of "$output")" = 400 ]
    expect '.error.message == "hours: this key appears twice in one object"'
    run submit octouser '{"name":"x","machine_type":"a100x1","command":"true","hours":1} {"more":1}'
    [ "$(status_of "$output")" = 400 ]
    expect '.error.code == "invalid_json"'
    # query numbers: refused with the parameter named, not read as 0
    for q in 'offset=abc' 'limit=-1' 'limit=9999999' 'offset=1x'; do
        run api octouser GET "/api/v1/jobs/1/log?$q"
        [ "$(status_of "$output")" = 400 ] || { echo "$q: $output" >&3; return 1; }
        expect --arg p "${q%%=*}" '.error.code == "invalid_query" and (.error.message | startswith($p + ": "))'
    done
    run api octoadmin GET '/api/v1/admin/audit?before=abc'
    [ "$(status_of "$output")" = 400 ]
    expect '.error.message | startswith("before: ")'
    run api octoadmin GET '/api/v1/admin/audit?limit=0'
    [ "$(status_of "$output")" = 400 ]
    # text that entered the database before the edge refused it still makes valid JSON
    sqlite3 "$BD/lib/bridge.db" "INSERT INTO quota_requests (user, account, machine_type, units, start, end, reason, state, created) VALUES ('octouser', 'octo', 'a100x1', 1, 0, 9999999999, CAST(X'6F6C64FF6279746573' AS TEXT), 0, strftime('%s','now'))"
    run api octoadmin GET /api/v1/quota-requests
    [ "$(status_of "$output")" = 200 ]
    strict_json "$output"
    expect '[.quota_requests[] | select(.reason == "old\ufffdbytes")] | length == 1'
    run api octoadmin GET /api/v1/admin/audit
    strict_json "$output"
    sqlite3 "$BD/lib/bridge.db" "DELETE FROM quota_requests WHERE reason = CAST(X'6F6C64FF6279746573' AS TEXT)"
}

@test "users see, read and cancel only their own jobs; admins see all" {
    run submit octouser "$(body_for octouser mine 'sleep 300')"
    [ "$(status_of "$output")" = 201 ]
    a=$(body_of "$output" | jq -r .id)
    run submit octouser2 "$(body_for octouser2 theirs 'sleep 300')"
    [ "$(status_of "$output")" = 201 ]
    b=$(body_of "$output" | jq -r .id)
    run api octouser GET /api/v1/jobs
    body_of "$output" | jq -e --argjson a "$a" --argjson b "$b" '([.jobs[].id] | index($a)) != null and ([.jobs[].id] | index($b)) == null'
    body_of "$output" | jq -e '[.jobs[].user] | unique == ["octouser"]'
    run api octouser2 GET /api/v1/jobs
    body_of "$output" | jq -e --argjson a "$a" '([.jobs[].id] | index($a)) == null'
    # another user's job: the same 404 as a job that does not exist
    run api octouser2 GET "/api/v1/jobs/$a"
    [ "$(status_of "$output")" = 404 ]
    body_of "$output" | jq -e --arg a "$a" '.error.message == "no job \($a) of yours"'
    run api octouser2 DELETE "/api/v1/jobs/$a"
    [ "$(status_of "$output")" = 404 ]
    [ "$(cluster_exec -- squeue -h -j "$a" -o %T)" != CANCELLED ]
    run api octouser2 GET "/api/v1/jobs?user=octouser"
    [ "$(status_of "$output")" = 403 ]
    # admins see everyone's
    run api octoadmin GET /api/v1/jobs
    body_of "$output" | jq -e --argjson a "$a" --argjson b "$b" '([.jobs[].id] | index($a)) != null and ([.jobs[].id] | index($b)) != null'
    run api octoadmin GET "/api/v1/jobs?user=octouser2"
    body_of "$output" | jq -e '[.jobs[].user] | unique == ["octouser2"]'
    # ... and act with their own Slurm rights: no Slurm operator, no cancel, and a 403 that says so
    run api octoadmin DELETE "/api/v1/jobs/$b"
    [ "$(status_of "$output")" = 403 ] || { echo "$output" >&3; return 1; }
    expect '.error.code == "slurm_forbidden" and (.error.message | test("adminlevel=operator"))'
    [ "$(cluster_exec -- squeue -h -j "$b" -o %T)" != CANCELLED ]
    # the owner reads and cancels
    run api octouser GET "/api/v1/jobs/$a"
    [ "$(status_of "$output")" = 200 ]
    body_of "$output" | jq -e --argjson a "$a" '.id == $a and .user == "octouser" and .name == "mine"'
    run api octouser DELETE "/api/v1/jobs/$a"
    [ "$(status_of "$output")" = 200 ]
    wait_until 30 job_done "$a"
    run api octouser GET "/api/v1/jobs?state=stopped"
    body_of "$output" | jq -e --argjson a "$a" '[.jobs[] | select(.id == $a) | .state] == ["stopped"]'
    cancel_all
}

limit_of() {
    cluster_exec -- sacctmgr -nP show assoc where users="$1" account=octo format=grptres |
        tr ',' '\n' | sed -n "s|^license/mt_$2=||p"
}
limit_is() { [ "$(limit_of "$1" "$2")" = "$3" ]; }
# a revoked grant leaves no units: the limit is 0 or gone
limit_gone() { case "$(limit_of "$1" "$2")" in ""|0) return 0 ;; *) return 1 ;; esac; }
qreq() {   # qreq USER TYPE UNITS SECONDS REASON
    jq -nc --arg t "$2" --argjson u "$3" --argjson e "$(($(date +%s) + $4))" --arg r "$5" \
        '{machine_type: $t, units: $u, end: $e, reason: $r}' |
        api "$1" POST /api/v1/quota-requests -H 'Content-Type: application/json' --data-binary @-
}
a100x2_body() {
    jq -nc '{name: "pair", machine_type: "a100x2", units: 1, command: "sleep 300", hours: 1, workdir: "/home/octouser/bridge-test"}'
}

@test "job logs: read as the job's user, by ranges; nobody else's; no links, no unreadable files" {
    run submit octouser "$(body_for octouser logme 'seq 1 5; echo done')"
    id=$(body_of "$output" | jq -r .id)
    wait_until 60 job_done "$id"
    run api octouser GET "/api/v1/jobs/$id/log" -D "$BD/headers"
    [ "$(status_of "$output")" = 200 ]
    grep -qi '^X-Log-Size: 15' "$BD/headers"
    [ "$(body_of "$output")" = "$(printf '1\n2\n3\n4\n5\ndone')" ]
    run api octouser GET "/api/v1/jobs/$id/log?offset=2&limit=4"
    [ "$(body_of "$output")" = "$(printf '2\n3\n')" ]
    run api octouser GET "/api/v1/jobs/$id/log?limit=0"
    [ "$(status_of "$output")" = 400 ]
    run api octouser2 GET "/api/v1/jobs/$id/log"
    [ "$(status_of "$output")" = 404 ]
    # admins read it too, with the owner's rights
    run api octoadmin GET "/api/v1/jobs/$id/log"
    [ "$(status_of "$output")" = 200 ]
    # a file the user made unreadable stays unreadable (root could read it)
    run submit octouser "$(body_for octouser perm 'echo secret; chmod 000 "/home/octouser/bridge-test/perm-$SLURM_JOB_ID.out"')"
    id=$(body_of "$output" | jq -r .id)
    wait_until 60 job_done "$id"
    run api octouser GET "/api/v1/jobs/$id/log"
    [ "$(status_of "$output")" = 403 ] || { echo "$output" >&3; return 1; }
    [[ "$output" != *secret* ]]
    # an output file swapped for a link to a root-only file is not followed
    run submit octouser "$(body_for octouser link 'f="/home/octouser/bridge-test/link-$SLURM_JOB_ID.out"; rm -f "$f"; ln -s /etc/shadow "$f"')"
    id=$(body_of "$output" | jq -r .id)
    wait_until 60 job_done "$id"
    run api octouser GET "/api/v1/jobs/$id/log"
    [ "$(status_of "$output")" = 403 ]
    [[ "$output" != *root:* ]]
}

@test "a job sbatch sent with Slurm's default output file: the view names it and its log reads, on every release" {
    # 22.05 writes the default as "", 24.11 expanded, 26.05's v0.0.45 as "slurm-%j.out" (relative)
    id=$(as_user octouser sbatch --parsable -D /home/octouser/bridge-test -J cli --wrap 'echo from-sbatch; echo to-err >&2')
    wait_until 60 job_done "$id"
    run api octouser GET "/api/v1/jobs/$id"
    [ "$(status_of "$output")" = 200 ] || { echo "$output" >&3; return 1; }
    # stderr goes with stdout: the same file (24.11 writes it so, 22.05 and 26.05 as "")
    body_of "$output" | jq -e --arg f "/home/octouser/bridge-test/slurm-$id.out" '.stdout == $f and .stderr == $f' ||
        { echo "$output" >&3; return 1; }
    run api octouser GET "/api/v1/jobs/$id/log"
    [ "$(status_of "$output")" = 200 ] || { echo "$output" >&3; return 1; }
    [ "$(body_of "$output")" = "$(printf 'from-sbatch\nto-err')" ]
    # stderr goes with stdout: the same file
    run api octouser GET "/api/v1/jobs/$id/log?stream=stderr"
    [ "$(body_of "$output")" = "$(printf 'from-sbatch\nto-err')" ]
    # an interactive job has no output file the bridge can name
    id=$(as_user octouser salloc --no-shell -J inter -t 1 2>&1 | sed -n 's/.*Granted job allocation \([0-9]*\).*/\1/p')
    [ -n "$id" ]
    run api octouser GET "/api/v1/jobs/$id/log"
    cluster_exec -- scancel "$id"
    [ "$(status_of "$output")" = 404 ] || { echo "$output" >&3; return 1; }
    body_of "$output" | jq -e '.error.code == "no_log"'
}

@test "volumes: made as the user, listed per user, kept while a job works in them" {
    run api octouser POST /api/v1/volumes --data-binary '{"name":"data1"}'
    [ "$(status_of "$output")" = 201 ] || { echo "$output" >&3; return 1; }
    path=$(body_of "$output" | jq -r .path)
    [ "$path" = "$BD/volumes/octouser/data1" ]
    [ "$(stat -c '%U %a' "$path")" = "octouser 750" ]
    [ "$(stat -c "%U %a" "$BD/volumes/octouser")" = "octouser 711" ]
    run api octouser POST /api/v1/volumes --data-binary '{"name":"data1"}'
    [ "$(status_of "$output")" = 409 ]
    for bad in '{"name":"../x"}' '{"name":"A"}' '{"name":""}' '{"name":"ok","size":1}' '{}'; do
        run api octouser POST /api/v1/volumes --data-binary "$bad"
        [ "$(status_of "$output")" = 400 ] || { echo "$bad: $output" >&3; return 1; }
    done
    run api octouser2 POST /api/v1/volumes --data-binary '{"name":"data1"}'
    [ "$(status_of "$output")" = 201 ]
    run api octouser2 GET /api/v1/volumes
    body_of "$output" | jq -e '[.volumes[].user] == ["octouser2"]'
    run api octouser2 DELETE /api/v1/volumes/data9
    [ "$(status_of "$output")" = 404 ]
    # a job of the owner working in it keeps it (volumes are working directories too)
    run submit octouser "$(jq -nc --arg w "$path" '{name: "vol", machine_type: "a100x1", command: "sleep 300", hours: 1, workdir: $w}')"
    [ "$(status_of "$output")" = 201 ] || { echo "$output" >&3; return 1; }
    id=$(body_of "$output" | jq -r .id)
    run api octouser DELETE /api/v1/volumes/data1
    [ "$(status_of "$output")" = 409 ]
    body_of "$output" | jq -e '.error.code == "in_use"'
    [ -d "$path" ]
    cluster_exec -- scancel "$id"
    wait_until 30 job_done "$id"
    # someone else's volume is not a working directory for you
    run submit octouser2 "$(jq -nc --arg w "$path" '{name: "vol", machine_type: "a100x1", command: "true", hours: 1, workdir: $w}')"
    [ "$(status_of "$output")" = 400 ]
    touch "$path/file"; chown octouser: "$path/file"
    run api octouser DELETE /api/v1/volumes/data1
    [ "$(status_of "$output")" = 200 ]
    [ ! -e "$path" ]
    grep -q "RMVOL octouser data1: done" "$BD/broker.log"
}

@test "the file broker serves requests side by side: a read stuck on a client that does not read holds up no one" {
    bpid=$(pgrep -o -f "^$BROKER .*$BD/")
    install -d -o octouser -m 755 /home/octouser/bridge-test
    head -c 1048576 /dev/zero > /home/octouser/bridge-test/big.out
    chown octouser: /home/octouser/bridge-test/big.out
    # the children of earlier requests gone, the stuck read's is the only one
    wait_until 10 sh -c "[ -z \"\$(pgrep -P $bpid)\" ]"
    # a client (the bridge's uid) asks for 1 MiB and never reads it: the
    # child that serves it blocks on a full socket until its 20 s limit
    setpriv --reuid=octorest --regid=octorest --clear-groups -- /usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"READ octouser 0 1048576 /home/octouser/bridge-test/big.out\n")
time.sleep(25)' "$BD/broker/broker.sock" 3>&- &
stuck=$!
    wait_until 10 sh -c "[ -n \"\$(pgrep -P $bpid)\" ]"
    child=$(pgrep -P "$bpid" | head -n1)
    # meanwhile: a volume made and a log read, both through the broker
    run api octouser POST /api/v1/volumes --data-binary '{"name":"side"}'
    [ "$(status_of "$output")" = 201 ] || { echo "$output" >&3; kill "$stuck"; return 1; }
    run api octouser DELETE /api/v1/volumes/side
    [ "$(status_of "$output")" = 200 ]
    # ... answered while the stuck read was still being served
    kill -0 "$child"
    kill "$stuck"; wait "$stuck" || true
    wait_until 10 sh -c "! kill -0 $child 2>/dev/null"
    rm -f /home/octouser/bridge-test/big.out
}

@test "a 0700 home (Debian 13's default): the working directory is resolved as the user, by the file broker" {
    mode=$(stat -c %a /home/octouser)
    chmod 700 /home/octouser
    # the bridge's own user cannot pass through it
    run setpriv --reuid=octorest --regid=octorest --clear-groups -- ls /home/octouser/bridge-test
    [ "$status" -ne 0 ] || { chmod "$mode" /home/octouser; return 1; }
    run submit octouser "$(body_for octouser private 'pwd')"
    st=$(status_of "$output")
    id=$(body_of "$output" | jq -r .id)
    [ "$st" = 201 ] || { chmod "$mode" /home/octouser; echo "$output" >&3; return 1; }
    wait_until 60 job_done "$id"
    # what the user cannot reach is refused, naming the path: another user's private directory
    install -d -o octouser2 -m 700 /home/octouser2/secret
    run submit octouser "$(jq -nc '{name: "x", machine_type: "a100x1", units: 1, command: "true", hours: 1, workdir: "/home/octouser2/secret"}')"
    chmod "$mode" /home/octouser
    [ "$(status_of "$output")" = 400 ] || { echo "$output" >&3; return 1; }
    body_of "$output" | jq -e '.error.code == "invalid_field" and (.error.message | test("^workdir: .*/home/octouser2/secret.*Permission denied"))' ||
        { echo "$output" >&3; return 1; }
    # the broker's own answers: a file is no directory, a relative path is refused
    setpriv --reuid=octorest --regid=octorest --clear-groups -- /usr/bin/python3 -c '
import socket, sys
def ask(line):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(line)
    print(s.makefile().readline().strip()); s.close()
ask(b"RESOLVE octouser /home/octouser/bridge-test/../bridge-test\n")
ask(b"RESOLVE octouser /etc/passwd\n")
ask(b"RESOLVE octouser relative\n")' "$BD/broker/broker.sock" 3>&- > "$BD/resolve.out"
    diff <(printf '%s\n' "OK /home/octouser/bridge-test" "ERR not_dir /etc/passwd: not a directory" \
        "ERR bad_request RESOLVE USER /ABSOLUTE/PATH") "$BD/resolve.out"
}

@test "no grant: refused before Slurm with job_submit/octopus's own line" {
    run submit octouser "$(a100x2_body)"
    [ "$(status_of "$output")" = 403 ] || { echo "$output" >&3; return 1; }
    bridge_msg=$(body_of "$output" | jq -r .error.message)
    [ "$(body_of "$output" | jq -r .error.code)" = no_quota ]
    # what sbatch is told by the plugin for the same job, word for word
    run as_user octouser sbatch --test-only -D /home/octouser/bridge-test -p gpu --machine-type=a100x2 -t 60 --wrap true
    plugin_msg=$(echo "$output" | grep -o 'octopus: .*')
    echo "bridge: $bridge_msg" >&3
    [ "$bridge_msg" = "$plugin_msg" ]
    [[ "$bridge_msg" == *"granted=0 in_use=0 grant_end=- action=rejected: no active grant for a100x2 on account octo"* ]]
}

@test "quota request -> approval -> grant in slurmdbd -> the job runs -> revoked -> refused" {
    run qreq octouser a100x2 1 7200 "fine-tuning run"
    [ "$(status_of "$output")" = 201 ] || { echo "$output" >&3; return 1; }
    rid=$(body_of "$output" | jq -r .id)
    body_of "$output" | jq -e '.state == "pending" and .account == "octo" and .user == "octouser"'
    # users do not approve, not even their own
    run api octouser POST "/api/v1/quota-requests/$rid/approve" --data-binary '{"reason":"me"}'
    [ "$(status_of "$output")" = 403 ]
    # an admin approves, with a reason
    run api octoadmin POST "/api/v1/quota-requests/$rid/approve" --data-binary '{}'
    [ "$(status_of "$output")" = 400 ]
    # the sync watcher pauses, so the approval stays unapplied for a while
    touch "$BD/stop-sync"
    sleep 1
    run api octoadmin POST "/api/v1/quota-requests/$rid/approve" --data-binary '{"reason":"fits the course plan"}'
    [ "$(status_of "$output")" = 200 ] || { echo "$output" >&3; return 1; }
    body_of "$output" | jq -e '.state == "approved" and .decided_by == "octoadmin" and .grant_id > 0'
    gid=$(body_of "$output" | jq -r .grant_id)
    # a second decision is refused
    run api octoadmin POST "/api/v1/quota-requests/$rid/reject" --data-binary '{"reason":"changed my mind"}'
    [ "$(status_of "$output")" = 409 ]
    # approved, not in Slurm yet: a state of its own, and a submit is told to wait
    run api octouser GET /api/v1/grants
    expect --argjson g "$gid" '[.grants[] | select(.id == $g and .status == "applying")] | length == 1'
    run api octouser POST /api/v1/jobs -D "$BD/applying.headers" --data-binary "$(a100x2_body)"
    [ "$(status_of "$output")" = 409 ] || { echo "$output" >&3; return 1; }
    expect '.error.code == "grant_applying" and (.error.message | test("submit again in 5 s"))'
    grep -qi '^Retry-After: 5' "$BD/applying.headers"
    rm -f "$BD/stop-sync"
    start_sync_watcher
    # the sync the bridge triggered sets the association limit
    wait_until 60 limit_is octouser a100x2 1
    [ "$(limit_of octouser a100x2)" = 1 ]
    run api octouser GET /api/v1/grants
    body_of "$output" | jq -e --argjson g "$gid" '[.grants[] | select(.id == $g and .status == "active" and .machine_type == "a100x2" and .approver == "octoadmin")] | length == 1'
    run submit octouser "$(a100x2_body)"
    [ "$(status_of "$output")" = 201 ] || { echo "$output" >&3; return 1; }
    jid=$(body_of "$output" | jq -r .id)
    wait_until 30 sh -c "[ \"\$('$CLUSTER_TOOL' -i '$BR' exec -- squeue -h -j $jid -o %T)\" = RUNNING ]"
    [[ "$(cluster_exec -- scontrol show job "$jid")" == *"mt_a100x2"* ]]
    # /me: the grant, the association limit it became, and the unit in use
    wait_until 10 sh -c "'$BAPI' '$BD/run/api.sock' '$BD/secret' octouser GET /api/v1/me | sed '\$d' | jq -e '.usage.running_jobs == 1' > /dev/null"
    run api octouser GET /api/v1/me
    body_of "$output" | jq -e --argjson g "$gid" '[.grants[] | select(.id == $g and .status == "active")] | length == 1'
    body_of "$output" | jq -e '[.associations[] | select(.grp_tres != null and (.grp_tres | test("license/mt_a100x2=1")))] | length == 1'
    expect '[.usage.machine_types[] | select(.machine_type == "a100x2") | [.running_units, .granted_units, .granted_until > now]] == [[1, 1, true]]'
    run api octouser2 GET /api/v1/me
    expect '([.grants[] | .machine_type] | index("a100x2")) == null and .usage.running_jobs == 0'
    cluster_exec -- scancel "$jid"
    # the admin revokes: the limit goes, and the next job is refused again
    run api octouser DELETE "/api/v1/grants/$gid?reason=x"
    [ "$(status_of "$output")" = 403 ]
    run api octoadmin DELETE "/api/v1/grants/$gid"
    [ "$(status_of "$output")" = 400 ]
    run api octoadmin DELETE "/api/v1/grants/$gid?reason=course%20over"
    [ "$(status_of "$output")" = 200 ]
    body_of "$output" | jq -e '.status == "expired" or .status == "revoked"'
    wait_until 60 limit_gone octouser a100x2
    run submit octouser "$(a100x2_body)"
    [ "$(status_of "$output")" = 403 ]
    body_of "$output" | jq -e '.error.message | test("no active grant for a100x2")'
}

@test "quota requests: reject with a reason, cancel while pending, nobody approves their own, others' are invisible" {
    run qreq octouser v100x1 2 3600 "benchmarks"
    r1=$(body_of "$output" | jq -r .id)
    run api octoadmin POST "/api/v1/quota-requests/$r1/reject" --data-binary '{"reason":"no V100s free this month"}'
    [ "$(status_of "$output")" = 200 ]
    run api octouser GET "/api/v1/quota-requests/$r1"
    body_of "$output" | jq -e '.state == "rejected" and .decision == "no V100s free this month"'
    run api octouser POST "/api/v1/quota-requests/$r1/cancel"
    [ "$(status_of "$output")" = 409 ]
    run qreq octouser v100x1 1 3600 "smaller"
    r2=$(body_of "$output" | jq -r .id)
    run api octouser2 GET "/api/v1/quota-requests/$r2"
    [ "$(status_of "$output")" = 404 ]
    run api octouser2 POST "/api/v1/quota-requests/$r2/cancel"
    [ "$(status_of "$output")" = 404 ]
    run api octouser2 GET /api/v1/quota-requests
    body_of "$output" | jq -e '[.quota_requests[].user] | all(. == "octouser2")'
    run api octouser POST "/api/v1/quota-requests/$r2/cancel"
    [ "$(status_of "$output")" = 200 ]
    body_of "$output" | jq -e '.state == "cancelled"'
    run qreq octoadmin a100x1 1 3600 "admin's own"
    r3=$(body_of "$output" | jq -r .id)
    run api octoadmin POST "/api/v1/quota-requests/$r3/approve" --data-binary '{"reason":"self"}'
    [ "$(status_of "$output")" = 403 ]
    body_of "$output" | jq -e '.error.message | test("own request")'
    run api octoadmin GET "/api/v1/quota-requests?state=pending"
    body_of "$output" | jq -e --argjson r "$r3" '[.quota_requests[].id] | index($r) != null'
    run qreq octouser a100x1 0 3600 "zero"
    [ "$(status_of "$output")" = 400 ]
    run qreq octouser a100x1 1 -10 "ended"
    [ "$(status_of "$output")" = 400 ]
    run api octouser POST /api/v1/quota-requests --data-binary '{"machine_type":"a100x1","units":1,"end":9999999999,"reason":"x","account":"root"}'
    [ "$(status_of "$output")" = 400 ]
}

@test "a user's pending quota requests are capped at 50: the 51st is 429, a cancel makes room" {
    # earlier tests may have left some of octoadmin's requests pending
    n0=$(api octoadmin GET '/api/v1/quota-requests?state=pending&user=octoadmin' | sed '$d' | jq '.quota_requests | length')
    for i in $(seq $((n0 + 1)) 50); do
        run qreq octoadmin v100x1 1 3600 "cap $i"
        [ "$(status_of "$output")" = 201 ] || { echo "request $i: $output" >&3; return 1; }
    done
    run qreq octoadmin v100x1 1 3600 "cap 51"
    [ "$(status_of "$output")" = 429 ]
    expect '.error.code == "too_many_requests" and (.error.message | test("50 quota requests"))'
    # someone else is not held up by it
    run qreq octouser2 v100x1 1 3600 "not capped"
    [ "$(status_of "$output")" = 201 ]
    api octouser2 POST "/api/v1/quota-requests/$(body_of "$output" | jq -r .id)/cancel" > /dev/null
    ids=$(api octoadmin GET '/api/v1/quota-requests?state=pending&user=octoadmin' | sed '$d' | jq -r '.quota_requests[] | select(.reason | startswith("cap ")) | .id')
    first=$(head -n1 <<< "$ids")
    run api octoadmin POST "/api/v1/quota-requests/$first/cancel"
    [ "$(status_of "$output")" = 200 ]
    run qreq octoadmin v100x1 1 3600 "cap again"
    [ "$(status_of "$output")" = 201 ]
    for id in $ids $(body_of "$output" | jq -r .id); do api octoadmin POST "/api/v1/quota-requests/$id/cancel" > /dev/null; done
}

@test "grants: users see their own; admins extend others' grants, not their own" {
    run api octouser2 GET /api/v1/grants
    body_of "$output" | jq -e '[.grants[].user] | unique == ["octouser2"]'
    gid=$(body_of "$output" | jq -r '[.grants[] | select(.status == "active")][0].id')
    end=$(body_of "$output" | jq -r '[.grants[] | select(.status == "active")][0].end')
    run api octouser POST "/api/v1/grants/$gid/extend" --data-binary "{\"end\": $((end + 86400))}"
    [ "$(status_of "$output")" = 403 ]
    run api octoadmin POST "/api/v1/grants/$gid/extend" --data-binary "{\"end\": $((end + 86400))}"
    [ "$(status_of "$output")" = 200 ]
    body_of "$output" | jq -e --argjson e "$((end + 86400))" '.end == $e and .status == "active"'
    run api octoadmin GET "/api/v1/grants?user=octouser2"
    body_of "$output" | jq -e --argjson e "$((end + 86400))" '[.grants[] | select(.end == $e)] | length == 1'
}

@test "an approval cut short by a crash gets its grant at the next start" {
    run qreq octouser2 v100x1 1 3600 "crash test"
    rid=$(body_of "$output" | jq -r .id)
    # what a SIGKILL between recording the decision and writing the grant leaves
    sqlite3 "$BD/lib/bridge.db" "UPDATE quota_requests SET state = 1, decided_by = 'octoadmin', decision = 'ok', decided_at = strftime('%s','now') WHERE id = $rid"
    kill -KILL "$(cat "$BD/bridge.pid")"
    wait_until 10 sh -c "! kill -0 $(cat "$BD/bridge.pid") 2>/dev/null"
    start_bridge
    grep -q "quota request $rid was approved but had no grant: grant written" "$BD/bridge.log"
    run api octouser2 GET "/api/v1/quota-requests/$rid"
    body_of "$output" | jq -e '.state == "approved" and .grant_id > 0'
    run api octouser2 GET /api/v1/grants
    body_of "$output" | jq -e --arg r "quota request $rid: ok" '[.grants[] | select(.reason == $r and .machine_type == "v100x1")] | length == 1'
    # and only once, however often it restarts
    kill -TERM "$(cat "$BD/bridge.pid")"
    wait_until 10 sh -c "! kill -0 $(cat "$BD/bridge.pid") 2>/dev/null"
    start_bridge
    run api octouser2 GET /api/v1/grants
    body_of "$output" | jq -e --arg r "quota request $rid: ok" '[.grants[] | select(.reason == $r)] | length == 1'
}

@test "personal tokens: created from the portal, shown once, scoped, revocable" {
    run api octouser POST /api/v1/tokens -H 'Content-Type: application/json' --data-binary '{"name":"laptop","scopes":["read"],"days":7}'
    [ "$(status_of "$output")" = 201 ]
    tok=$(body_of "$output" | jq -r .token)
    tid=$(body_of "$output" | jq -r .id)
    [[ "$tok" =~ ^pat_[A-Za-z0-9_-]{43}$ ]]
    # only the hash is stored
    sqlite3 "$BD/lib/bridge.db" "SELECT hash FROM tokens" | refute grep -q "$tok"
    bearer() { curl -s --unix-socket "$BD/run/api.sock" -H "Authorization: Bearer $1" -w '\n%{http_code}' "${@:2}"; }
    run bearer "$tok" http://b/api/v1/me
    [ "$(status_of "$output")" = 200 ]
    body_of "$output" | jq -e '.user == "octouser" and .auth == "token" and .can_write == false'
    # read-only: no submissions
    run bearer "$tok" -X POST -H 'Content-Type: application/json' --data-binary "$(body_for octouser t true)" http://b/api/v1/jobs
    [ "$(status_of "$output")" = 403 ]
    # a token does not make tokens
    run bearer "$tok" -X POST -H 'Content-Type: application/json' --data-binary '{"name":"more"}' http://b/api/v1/tokens
    [ "$(status_of "$output")" = 403 ]
    # another user cannot revoke it; the owner can, and then it is dead
    run api octouser2 DELETE "/api/v1/tokens/$tid"
    [ "$(status_of "$output")" = 404 ]
    run api octouser GET /api/v1/tokens
    body_of "$output" | jq -e --argjson t "$tid" '[.tokens[] | select(.id == $t and .revoked == false)] | length == 1'
    run api octouser DELETE "/api/v1/tokens/$tid"
    [ "$(status_of "$output")" = 200 ]
    run bearer "$tok" http://b/api/v1/me
    [ "$(status_of "$output")" = 401 ]
    run bearer "pat_${tok:4:40}abc" http://b/api/v1/me
    [ "$(status_of "$output")" = 401 ]
}

@test "the audit log: every change, with user, request id and result; admins only" {
    run api octouser GET /api/v1/admin/audit
    [ "$(status_of "$output")" = 403 ]
    run api octoadmin GET "/api/v1/admin/audit?limit=1000"
    [ "$(status_of "$output")" = 200 ]
    body_of "$output" | jq -e '[.entries[] | select(.action == "job.submit" and .user == "octouser" and .status == 201)] | length >= 2'
    body_of "$output" | jq -e '[.entries[] | select(.action == "job.submit" and .status == 400 and (.detail | test("workdir")))] | length >= 1'
    body_of "$output" | jq -e '[.entries[] | select(.action == "job.cancel" and .user == "octouser2" and .status == 404)] | length == 1'
    # the portal's token and the OIDC one (fresh auth_time); the two refused OIDC attempts are on record too
    body_of "$output" | jq -e '[.entries[] | select(.action == "token.create" and .status == 201)] | length == 2'
    body_of "$output" | jq -e '[.entries[] | select(.action == "token.create" and .status == 403 and (.detail | test("reauthenticate")))] | length == 2'
    body_of "$output" | jq -e '[.entries[] | select(.action == "token.revoke")] | length == 3'
    body_of "$output" | jq -e 'all(.entries[]; (.request_id | length) > 0 and .source == "unix")'
    # append-only, even for whoever holds the database file
    run sqlite3 "$BD/lib/bridge.db" "DELETE FROM audit"
    [ "$status" -ne 0 ]
    [[ "$output" == *"append-only"* ]]
}

@test "the job list is slurmctld's: every job with its id, name and state, as squeue shows them" {
    cancel_all
    for i in 1 2 3; do
        cluster_exec -u octouser -- bash -c "cd /tmp && sbatch --hold -o /dev/null -J 'held \"$i\" é' --wrap true" > /dev/null
    done
    cluster_exec -u octouser2 -- bash -c "cd /tmp && sbatch --hold -o /dev/null -J other --wrap true" > /dev/null
    sleep 1.2   # past the cache period
    want=$(cluster_exec -- squeue -h -t all -u octouser -o '%i|%j|%T' | sort)   # finished ones too, while slurmctld holds them
    run api octouser GET /api/v1/jobs
    [ "$(status_of "$output")" = 200 ]
    got=$(body_of "$output" | jq -r '.jobs[] | "\(.id)|\(.name)|\(.slurm_state)"' | sort)
    echo "squeue: $want / bridge: $got" >&3
    [ "$got" = "$want" ]
    [ "$(grep -c '|held "[123]" é|PENDING$' <<< "$got")" = 3 ]
    # the admin's list holds both users'
    run api octoadmin GET /api/v1/jobs
    [ "$(body_of "$output" | jq '[.jobs[] | select(.state == "queued")] | length')" = 4 ]
    # a name that is not UTF-8 (Slurm takes any bytes): that job is listed,
    # its bad byte replaced, and nobody loses the list over it
    cluster_exec -u octouser2 -- bash -c "cd /tmp && sbatch --hold -o /dev/null -J \$'odd\\xffname' --wrap true" > /dev/null
    sleep 1.2
    run api octouser2 GET /api/v1/jobs
    [ "$(status_of "$output")" = 200 ]
    expect '[.jobs[] | select(.name == "odd\ufffdname")] | length == 1'
    run api octouser GET /api/v1/jobs
    [ "$(status_of "$output")" = 200 ]
    cancel_all
}

# instance ID FIELD: one field of the owner's view of an instance
instance_field() { api octouser GET "/api/v1/instances/$1" | sed '$d' | jq -r ".$2"; }
instance_ready() { [ "$(instance_field "$1" state)" = ready ]; }

@test "instances: an IDE session runs as a job of its user; its owner reaches it through /i/{id}/ with the IDE's password added by the bridge" {
    cancel_all
    run api octouser POST /api/v1/instances -d '{"name":"nb","machine_type":"a100x1","ide":"echo","hours":1}'
    [ "$(status_of "$output")" = 201 ] || { echo "$output" >&3; false; }
    # brand new: queued, not ended
    expect '.state == "queued"'
    id=$(body_of "$output" | jq -r .id)
    job=$(body_of "$output" | jq -r .job_id)
    [[ $id =~ ^[0-9a-f]{16}$ ]]
    [ "$job" -gt 0 ]
    echo "$id" > "$BD/instance-id"
    # the job is the user's own, tagged for the portal
    [ "$(cluster_exec -- squeue -h -j "$job" -o '%u|%k')" = "octouser|portal:instance:$id" ]
    wait_until 90 instance_ready "$id" || { instance_field "$id" state >&3; cluster_exec -- squeue >&3; false; }
    run api octouser GET "/api/v1/instances/$id"
    expect --arg id "$id" '.url == "/i/\($id)/" and .ide == "echo" and .machine_type == "a100x1" and (.node | test("-n[0-9]$"))'
    # the IDE answers its owner, as its owner; the query and escapes arrive as sent
    run api octouser GET "/i/$id/whoami?q=a%2Fb&x=1" -D "$BD/headers"
    [ "$(status_of "$output")" = 200 ] || { echo "$output" >&3; false; }
    expect --arg id "$id" '.user == "octouser" and .path == "/i/\($id)/whoami?q=a%2Fb&x=1"'
    # the caller's credentials stop at the bridge
    expect '[.headers[] | select(startswith("x-octopus-"))] | length == 0'
    # the IDE's cookie stays under its instance; no service worker over the portal
    grep -qi "^set-cookie: ide_session=1; Path=/i/$id/; HttpOnly" "$BD/headers"
    refute grep -qi '^service-worker-allowed' "$BD/headers"
    refute grep -qi '^access-control-' "$BD/headers"
    # the password is nowhere in what the portal shows
    pw=$(sed -n 's/^password: //p' "/home/octouser/.octopus/instances/$id/connection.yml")
    [ "${#pw}" = 48 ]
    [ "$(stat -c %a "/home/octouser/.octopus/instances/$id/connection.yml")" = 600 ]
    api octouser GET /api/v1/instances | refute grep -q "$pw"
    refute grep -q "$pw" "$BD/headers"
    # without it the IDE refuses (a neighbour on the node who found the port)
    addr=$(cluster_exec -- scontrol show node "$(instance_field "$id" node)" | sed -n 's/.*NodeAddr=\([^ ]*\).*/\1/p')
    port=$(sed -n 's/^port: //p' "/home/octouser/.octopus/instances/$id/connection.yml")
    [ "$(nsenter --net="/run/netns/octo-$BR-h" curl -s -o /dev/null -w '%{http_code}' "http://$addr:$port/i/$id/whoami")" = 403 ]
    # bodies both ways, larger than the bridge's buffers
    head -c 3000000 /dev/urandom > "$BD/up.bin"
    api octouser POST "/i/$id/echo" -H 'Content-Type: application/octet-stream' --data-binary @"$BD/up.bin" \
        -o "$BD/down.bin" > /dev/null
    cmp "$BD/up.bin" "$BD/down.bin"
    api octouser GET "/i/$id/big?n=20000000" -o "$BD/big.bin" > /dev/null
    want=$(/usr/bin/python3 -c 'import hashlib; b=bytes(range(256))*256; d=(b*306)[:20000000]; print(hashlib.sha256(d).hexdigest())')
    [ "$(sha256sum < "$BD/big.bin" | cut -d' ' -f1)" = "$want" ]
    # WebSockets: the upgrade goes to the IDE, frames both ways
    run "$BATS_TEST_DIRNAME/bridge/ws-client" "$BD/run/api.sock" "$BD/secret" octouser "/i/$id/ws" hello \
        "$(printf 'x%.0s' $(seq 1 300))"
    [ "${lines[0]}" = 101 ]
    [ "${lines[1]}" = "echo:hello" ]
    [ "${lines[2]}" = "echo:$(printf 'x%.0s' $(seq 1 300))" ]
    # /i/{id} without its slash: where the IDE's relative links work
    run api octouser GET "/i/$id"
    [ "$(status_of "$output")" = 308 ]
    # counted: proxied requests by route, live instances, WebSockets open now (the one above closed)
    run api octoadmin GET /metrics
    body_of "$output" | grep -q '^octopus_bridge_requests_total{route="/i/{id}",method="GET",status="200"} [1-9]'
    body_of "$output" | grep -q '^octopus_bridge_instances_live 1$'
    wait_until 10 sh -c "'$BAPI' '$BD/run/api.sock' '$BD/secret' octoadmin GET /metrics | grep -q '^octopus_bridge_websockets_open 0\$'"
}

@test "instances are their owner's alone: others get 404 for the instance, its proxy and its WebSocket; admins see it but do not enter it" {
    id=$(cat "$BD/instance-id")
    run api octouser2 GET "/api/v1/instances/$id"
    [ "$(status_of "$output")" = 404 ]
    run api octouser2 GET "/i/$id/whoami"
    [ "$(status_of "$output")" = 404 ]
    refute grep -q octouser <<< "$output"
    run api octouser2 DELETE "/api/v1/instances/$id"
    [ "$(status_of "$output")" = 404 ]
    run "$BATS_TEST_DIRNAME/bridge/ws-client" "$BD/run/api.sock" "$BD/secret" octouser2 "/i/$id/ws" hello
    [ "${lines[0]}" = 404 ]
    run api octouser2 GET /api/v1/instances
    expect '.instances | length == 0'
    run api octoadmin GET "/api/v1/instances/$id"
    expect '.user == "octouser" and .state == "ready"'
    run api octoadmin GET "/i/$id/whoami"
    [ "$(status_of "$output")" = 404 ]
    # an admin of the portal who is no Slurm operator cannot stop it, and is told so;
    # nothing claims it stopped: the owner still has a ready instance
    run api octoadmin DELETE "/api/v1/instances/$id"
    [ "$(status_of "$output")" = 403 ] || { echo "$output" >&3; return 1; }
    expect '.error.code == "slurm_forbidden" and (.error.message | test("operator"))'
    run api octouser GET "/api/v1/instances/$id"
    expect '.state == "ready"'
    [ "$(cluster_exec -- squeue -h -j "$(body_of "$output" | jq -r .job_id)" -o %T)" = RUNNING ]
    run api octouser GET "/api/v1/instances?all=1"
    [ "$(status_of "$output")" = 403 ]
    run api - GET "/i/$id/whoami"
    [ "$(status_of "$output")" = 401 ]
    # a form or script of another site cannot post into the IDE with the user's session
    run api octouser POST "/i/$id/echo" -H 'Origin: https://evil.test' -H 'Host: portal.test' -d x
    [ "$(status_of "$output")" = 403 ]
    expect '.error.code == "cross_origin"'
    run api octouser OPTIONS "/i/$id/echo" -H 'Origin: https://evil.test' -H 'Access-Control-Request-Method: PUT'
    [ "$(status_of "$output")" = 403 ]
    run api octouser POST "/i/$id/echo" -H 'Origin: https://evil.test' -H 'Host: evil.test' \
        -H 'X-Forwarded-Host: evil.test, portal.test' -d x
    [ "$(status_of "$output")" = 403 ]
    run api octouser POST "/i/$id/echo" -H 'Sec-Fetch-Site: cross-site' -d x
    [ "$(status_of "$output")" = 403 ]
    run api octouser POST "/i/$id/echo" -H 'Origin: https://portal.test' -H 'Host: portal.test' -d same
    [ "$(status_of "$output")" = 200 ]
    [ "$(body_of "$output")" = same ]
    # ids that are not ids
    run api octouser GET "/i/../api/v1/me" --path-as-is
    [ "$(status_of "$output")" = 404 ]
    run api octouser GET "/i/${id^^}/whoami"
    [ "$(status_of "$output")" = 404 ]
}

# refused_instance STATUS BODY JQ: octouser's POST /instances BODY gets STATUS, its error passing JQ
refused_instance() {
    run api octouser POST /api/v1/instances -d "$2"
    [ "$(status_of "$output")" = "$1" ] || { echo "status $(status_of "$output") for $2" >&3; return 1; }
    expect "$3"
}

@test "instance requests the bridge refuses: an unknown IDE, unknown fields, no hours, more than MaxInstances" {
    refused_instance 400 '{"name":"nb","machine_type":"a100x1","ide":"rstudio","hours":1}' \
        '.error.message | test("ide: give one of: echo")'
    refused_instance 400 '{"name":"nb","machine_type":"a100x1","ide":"echo","hours":1,"command":"id"}' \
        '.error.message | test("command: unknown field")'
    refused_instance 400 '{"name":"nb","machine_type":"a100x1","ide":"echo"}' '.error.message | test("hours")'
    refused_instance 400 '{"name":"nb","machine_type":"nosuch","ide":"echo","hours":1}' \
        '.error.message | test("machine_type")'
    # no grant for the type: the bridge says why, as the plugin would
    refused_instance 403 '{"name":"big","machine_type":"a100x2","ide":"echo","hours":1}' '.error.code == "no_quota"'
    run api octouser GET /api/v1/instances
    expect '[.instances[] | select(.name == "big")] | length == 0'
    # volumes: only the user's own
    refused_instance 400 '{"name":"nb2","machine_type":"a100x1","ide":"echo","hours":1,"volumes":["nbdata"]}' \
        '.error.message | test("volumes: no volume .nbdata. of yours")'
    run api octouser POST /api/v1/volumes -d '{"name":"nbdata"}'
    [ "$(status_of "$output")" = 201 ]
    # octouser has one; MaxInstances=2 allows one more
    run api octouser POST /api/v1/instances -d '{"name":"nb2","machine_type":"a100x1","ide":"echo","hours":1,"volumes":["nbdata"]}'
    [ "$(status_of "$output")" = 201 ]
    expect '.volumes == ["nbdata"]'
    echo "$(body_of "$output" | jq -r .id)" > "$BD/instance-id2"
    refused_instance 409 '{"name":"nb3","machine_type":"a100x1","ide":"echo","hours":1}' '.error.code == "too_many_instances"'
}

@test "an instance deleted: its job is cancelled, connection.yml goes, the proxy answers 409; the bridge's restart keeps the record" {
    id=$(cat "$BD/instance-id") id2=$(cat "$BD/instance-id2")
    job=$(instance_field "$id" job_id)
    run api octouser DELETE "/api/v1/instances/$id"
    [ "$(status_of "$output")" = 200 ]
    expect '.state == "stopping"'
    wait_until 30 sh -c "[ -z \"\$('$CLUSTER_TOOL' -i '$BR' exec -- squeue -h -j $job -o %i 2>/dev/null)\" ]"
    wait_until 10 test ! -e "/home/octouser/.octopus/instances/$id/connection.yml"
    sleep 1.2   # past the job cache
    [ "$(instance_field "$id" state)" = ended ]
    run api octouser GET "/i/$id/whoami"
    [ "$(status_of "$output")" = 409 ]
    expect '.error.code == "not_ready"'
    # the record and the second instance outlive the bridge
    kill -KILL "$(cat "$BD/bridge.pid")"
    start_bridge
    run api octouser GET /api/v1/instances
    expect --arg a "$id" --arg b "$id2" '[.instances[].id] | sort == ([$a, $b] | sort)'
    # the second one mounts a volume: the IDE is told where, and the volume stays while it runs
    wait_until 90 instance_ready "$id2"
    run api octouser GET "/i/$id2/whoami"
    expect --arg p "$BD/volumes/octouser/nbdata" '.volumes == $p'
    run api octouser DELETE /api/v1/volumes/nbdata
    [ "$(status_of "$output")" = 409 ]
    expect '.error.message | test("instance job [0-9]+ mounts nbdata")'
    job2=$(instance_field "$id2" job_id)
    api octouser DELETE "/api/v1/instances/$id2" > /dev/null
    wait_until 30 sh -c "[ -z \"\$('$CLUSTER_TOOL' -i '$BR' exec -- squeue -h -j $job2 -o %i 2>/dev/null)\" ]"
    run api octouser DELETE /api/v1/volumes/nbdata
    [ "$(status_of "$output")" = 200 ]
    audit=$(api octoadmin GET '/api/v1/admin/audit?limit=50' | sed '$d')
    jq -e --arg id "$id" '[.entries[] | select(.action == "instance.delete" and (.target | startswith("instance \($id)")))] | length >= 1' <<< "$audit" > /dev/null
    jq -e '[.entries[] | select(.action == "instance.create" and .status == 201)] | length >= 2' <<< "$audit" > /dev/null
    cancel_all
}

@test "a crowd of pollers costs slurmrestd one job list per cache period" {
    run api octoadmin GET /metrics
    [ "$(status_of "$output")" = 200 ]
    m0=$(body_of "$output" | sed -n 's/^octopus_bridge_jobs_cache_misses_total //p')
    for i in $(seq 1 20); do api octouser GET /api/v1/jobs > /dev/null & api octouser2 GET /api/v1/jobs > /dev/null & done
    wait
    run api octoadmin GET /metrics
    m1=$(body_of "$output" | sed -n 's/^octopus_bridge_jobs_cache_misses_total //p')
    h1=$(body_of "$output" | sed -n 's/^octopus_bridge_jobs_cache_hits_total //p')
    echo "40 list requests: $((m1 - m0)) slurmrestd job lists, $h1 hits so far" >&3
    # 40 requests within a few 1 s periods: a handful of fetches, not 40
    [ $((m1 - m0)) -le 6 ]
    body_of "$output" | grep -q '^octopus_bridge_requests_total{route="/api/v1/jobs",method="GET",status="200"} '
    body_of "$output" | grep -q '^octopus_bridge_quota_requests_pending [0-9]'
    body_of "$output" | grep -q '^octopus_bridge_grants_expiring_7d [0-9]'
    run api octouser GET /metrics
    [ "$(status_of "$output")" = 403 ]
}

# st NAME FILE: the dur (or desc) of Server-Timing's NAME entry in the saved headers
st() { tr -d '\r' < "$2" | sed -n 's/^Server-Timing: //Ip' | tr ',' '\n' | sed -n "s/^ *$1;\(dur\|desc\)=//p"; }

@test "Server-Timing: each answer tells slurmrestd's time from the bridge's own" {
    sleep 1.2   # past JobsCacheMs: the next list is fetched
    run api octouser GET /api/v1/jobs -D "$BD/st-miss"
    [ "$(status_of "$output")" = 200 ]
    run api octouser GET /api/v1/jobs -D "$BD/st-hit"
    [ "$(status_of "$output")" = 200 ]
    cat "$BD/st-miss" "$BD/st-hit" >&3
    [ "$(st cache "$BD/st-miss")" = miss ]
    wait_ms=$(st slurmrestd "$BD/st-miss") body_ms=$(st slurmrestd-body "$BD/st-miss") total=$(st total "$BD/st-miss")
    [ -n "$wait_ms" ]
    [ -n "$body_ms" ]
    [ -n "$(st render "$BD/st-miss")" ]
    # slurmctld's answer takes time; the parts are within the whole
    awk -v w="$wait_ms" -v b="$body_ms" -v t="$total" 'BEGIN{exit !(w > 0 && b >= 0 && w + b <= t)}'
    # a hit asks slurmrestd nothing
    [ "$(st cache "$BD/st-hit")" = hit ]
    [ -z "$(st slurmrestd "$BD/st-hit")" ]
    [ -z "$(st render "$BD/st-hit")" ]
    [ -n "$(st total "$BD/st-hit")" ]
    run api - GET /api/v1/healthz -D "$BD/st-health"
    [ -z "$(st cache "$BD/st-health")" ]
    [ -n "$(st total "$BD/st-health")" ]
}

@test "admins see the nodes and how many GPUs are in use" {
    run api octouser GET /api/v1/admin/nodes
    [ "$(status_of "$output")" = 403 ]
    run submit octouser "$(body_for octouser gpu 'sleep 300' 2)"
    id=$(body_of "$output" | jq -r .id)
    wait_until 30 sh -c "[ \"\$('$CLUSTER_TOOL' -i '$BR' exec -- squeue -h -j $id -o %T)\" = RUNNING ]"
    run api octoadmin GET /api/v1/admin/nodes
    [ "$(status_of "$output")" = 200 ]
    body_of "$output" | jq -e '(.nodes | length) == 3 and .accelerators["gpu:a100"].total == 12 and .accelerators["gpu:a100"].used == 2'
    body_of "$output" | jq -e '.accelerators["gpu:v100"].total == 6'
    body_of "$output" | jq -e '[.partitions[] | select(.name == "gpu" and .total_nodes == 3 and .state == "UP")] | length == 1'
    cluster_exec -- scancel "$id"
}

@test "bridge killed with SIGKILL mid-writes and restarted: every acknowledged request, grant and token is there" {
    run api octouser POST /api/v1/tokens --data-binary '{"name":"survivor","scopes":["read","write"]}'
    [ "$(status_of "$output")" = 201 ]
    tok=$(body_of "$output" | jq -r .token)
    grants0=$(api octoadmin GET /api/v1/grants | sed '$d' | jq -c '[.grants[] | {id, units, status, until: .end}]')
    n0=$(sqlite3 "$BD/lib/bridge.db" "SELECT count(*) FROM audit")
    # quota requests keep arriving while the bridge is killed: each one
    # answered 201 must be there after the restart
    : > "$BD/acked"
    (
        for i in $(seq 1 40); do
            out=$(qreq octouser2 v100x1 1 3600 "crash test $i" 2>/dev/null) || continue
            [ "$(tail -n1 <<< "$out")" = 201 ] && sed '$d' <<< "$out" | jq -r .id >> "$BD/acked"
        done
    ) 3>&- &
    writer=$!
    wait_until 20 sh -c "[ \$(wc -l < '$BD/acked') -ge 5 ]"
    kill -KILL "$(cat "$BD/bridge.pid")"
    wait "$writer" || true
    wait_until 10 sh -c "! kill -0 $(cat "$BD/bridge.pid") 2>/dev/null"
    start_bridge
    acked=$(sort -n "$BD/acked")
    echo "$(wc -l <<< "$acked") requests acknowledged before the kill" >&3
    [ "$(wc -l <<< "$acked")" -ge 5 ]
    run api octouser2 GET '/api/v1/quota-requests?state=pending'
    stored=$(body_of "$output" | jq -r '.quota_requests[] | select(.reason | startswith("crash test")) | .id' | sort -n)
    [ -z "$(comm -23 <(echo "$acked") <(echo "$stored"))" ] || { echo "lost: $(comm -23 <(echo "$acked") <(echo "$stored"))" >&3; return 1; }
    [ "$(api octoadmin GET /api/v1/grants | sed '$d' | jq -c '[.grants[] | {id, units, status, until: .end}]')" = "$grants0" ]
    for id in $stored; do api octouser2 POST "/api/v1/quota-requests/$id/cancel" > /dev/null; done
    run curl -s --unix-socket "$BD/run/api.sock" -H "Authorization: Bearer $tok" -w '\n%{http_code}' http://b/api/v1/me
    [ "$(status_of "$output")" = 200 ]
    body_of "$output" | jq -e '.can_write == true'
    [ "$(sqlite3 "$BD/lib/bridge.db" "SELECT count(*) FROM audit")" -ge "$n0" ]
    sqlite3 "$BD/lib/bridge.db" "SELECT action FROM audit WHERE target LIKE '%survivor%'" | grep -qx token.create
}

@test "slurmrestd stopped: 503 with a JSON error, not a hang; back when it is" {
    pid=$(awk '{print $1}' "$OCTO_CLUSTER_DIR/pids/slurmrestd")
    kill -STOP "$pid"
    t0=$(date +%s)
    run api octouser GET /api/v1/jobs/999999
    kill -CONT "$pid"
    [ "$(status_of "$output")" = 503 ] || { echo "$output" >&3; return 1; }
    body_of "$output" | jq -e '.error.code == "slurm_unavailable"'
    [ $(($(date +%s) - t0)) -le 40 ]
    kill -TERM "$pid"
    wait_until 10 sh -c "! kill -0 $pid 2>/dev/null"
    run api - GET /api/v1/readyz
    [ "$(status_of "$output")" = 503 ]
    body_of "$output" | jq -e '.error.code == "slurm_unavailable" and .status == "not ready"'
    run api octouser GET /api/v1/jobs
    [ "$(status_of "$output")" = 503 ]
}

@test "the bridge instance goes down cleanly" {
    touch "$BD/stop-sync"
    stop_bridge
    [ ! -S "$BD/run/api.sock" ]
    grep -q "octopus-bridge: stopped" "$BD/bridge.log"
    pkill -TERM -f "^$MINTER .*$BD/"
    pkill -TERM -f "^$BROKER .*$BD/"
    "$CLUSTER_TOOL" -i "$BR" down >&3 2>&1
    [ ! -d "$OCTO_CLUSTER_DIR" ] || { find "$OCTO_CLUSTER_DIR" >&3; return 1; }
}
