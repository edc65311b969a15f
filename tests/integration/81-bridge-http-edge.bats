#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# octopus-bridge's HTTP edge: requests libmicrohttpd would answer with its
# own HTML page (a head over the limit, a bad request line, no Host, chunked
# bodies, HTTP/2, TLS on the plain socket, a head that never ends) get the
# API's JSON error with the right status, from a bridge as a site runs it
# (its own user, a unix socket). No slurmrestd is needed for this: every
# request here is answered before one would be asked; one test puts a
# stand-in for a future slurmrestd release at the Slurmrestd= socket.
load helpers

RAW=$BATS_TEST_DIRNAME/bridge/raw-http

setup_file() {
    export ED
    ED=$(mktemp -d /tmp/octo-edge.XXXXXX)
    chmod 755 "$ED"
    install -d -o octorest -m 755 "$ED/run" "$ED/lib"
    sed "s|@DIR@|$ED|g" "$BATS_TEST_DIRNAME/octopus/octopus.conf" > "$ED/octopus.conf"
    openssl rand -hex 32 > "$ED/secret"
    chown octorest: "$ED/secret"
    chmod 600 "$ED/secret"
    cat > "$ED/bridge.conf" <<CONF
Listen=unix:$ED/run/api.sock
Slurmrestd=unix:$ED/run/no-slurmrestd.sock
Database=$ED/lib/bridge.db
Ledger=$ED/lib/grants.db
MachineTypes=$ED/octopus.conf
ProxySecretFile=$ED/secret
MaxRequestHead=4096
ConnectionTimeout=2
CONF
    setpriv --reuid=octorest --regid=octorest --clear-groups -- \
        "$OCTO_STAGE_PREFIX/sbin/octopus-bridge" -f "$ED/bridge.conf" >> "$ED/bridge.log" 2>&1 3>&- &
    echo $! > "$ED/bridge.pid"
    wait_until 10 test -S "$ED/run/api.sock"
}

teardown_file() {
    kill "$(cat "$ED/bridge.pid")" 2>/dev/null || true
    wait_until 10 sh -c "! kill -0 $(cat "$ED/bridge.pid") 2>/dev/null" || true
    rm -rf "$ED"
}

# send BYTES (printf format): the whole answer in $output
send() { run sh -c "printf '$1' | '$RAW' '$ED/run/api.sock' ${2:-}"; }

# the answer is STATUS with a JSON body {"error":{"code":CODE,...}} and
# nothing after it; the message holds WORDS
json_error() {
    local status=$1 code=$2 words=$3 head body
    head=${output%%$'\r\n\r\n'*}
    body=${output#*$'\r\n\r\n'}
    [[ "$head" == "HTTP/1.1 $status "* ]] || { echo "status: $head" >&3; return 1; }
    grep -qi '^Content-Type: application/json' <<< "$head" || { echo "type: $head" >&3; return 1; }
    grep -qi '^Connection: close' <<< "$head"
    # one JSON document, the documented shape, and nothing else (no HTML)
    python3 -c '
import json, sys
d = json.loads(sys.argv[1])
e = d["error"]
assert set(d) == {"error"} and e["code"] == sys.argv[2] and sys.argv[3] in e["message"] and e["request_id"], d
' "$body" "$code" "$words" || { echo "body: $body" >&3; return 1; }
    [ "$(grep -ci '<html' <<< "$output")" = 0 ]
}

@test "a good request is served, with Connection: close" {
    send 'GET /api/v1/healthz HTTP/1.1\r\nHost: b\r\n\r\n'
    [[ "$output" == "HTTP/1.1 200 "* ]]
    grep -qi '^Connection: close' <<< "$output"
    [[ "$output" == *'{"status":"ok"}' ]]
}

@test "heads over MaxRequestHead=: 431 in JSON, whether they end or not, and however much follows" {
    big=$(head -c 5000 /dev/zero | tr '\0' a)
    send "GET /api/v1/healthz HTTP/1.1\r\nHost: b\r\nX-Big: $big\r\n\r\n"
    json_error 431 headers_too_large "over 4096 bytes"
    # 300 KiB of one field, more than the bridge ever reads: the answer is not lost to a reset
    run sh -c "{ printf 'GET /api/v1/healthz HTTP/1.1\r\nHost: b\r\nX-Big: '; head -c 300000 /dev/zero | tr '\0' a; } | '$RAW' '$ED/run/api.sock'"
    json_error 431 headers_too_large "send fewer or shorter"
    long=$(head -c 5000 /dev/zero | tr '\0' b)
    send "GET /api/v1/healthz?q=$long HTTP/1.1\r\nHost: b\r\n\r\n"
    json_error 414 uri_too_long "shorten the path or query"
    fields=""
    for i in $(seq 1 101); do fields+="X-$i: v\r\n"; done
    send "GET /api/v1/healthz HTTP/1.1\r\nHost: b\r\n$fields\r\n"
    json_error 431 headers_too_large "over 100 header fields"
}

@test "malformed heads: 400, 411 and 505 in JSON naming the fix" {
    send 'GARBAGE\r\n\r\n'
    json_error 400 malformed_request "METHOD SP /path SP HTTP/1.1"
    send 'GET /api/v1/healthz HTTP/1.1\r\n\r\n'
    json_error 400 malformed_request "needs a Host header"
    send 'GET /api/v1/healthz HTTP/1.1\r\nHost: b\r\nBad Name: x\r\n\r\n'
    json_error 400 malformed_request "is not Name: value"
    send 'GET /api/v1/healthz HTTP/1.1\r\nHost: b\r\nX-A: 1\r\n folded\r\n\r\n'
    json_error 400 malformed_request "folded line"
    send 'POST /api/v1/jobs HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\nContent-Length: 1x\r\n\r\n{}'
    json_error 400 malformed_request "Content-Length"
    send 'POST /api/v1/jobs HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n'
    json_error 411 length_required "Content-Length"
    send 'POST /api/v1/jobs HTTP/1.1\r\nHost: b\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}'
    json_error 400 malformed_request "Transfer-Encoding"
    send 'GET /api/v1/healthz HTTP/2.0\r\nHost: b\r\n\r\n'
    json_error 505 http_version_not_supported "use HTTP/1.1"
    # a TLS ClientHello on the plain socket is refused at once
    send '\026\003\001\002\000\001\000\001\374\003\003'
    json_error 400 malformed_request "TLS"
}

@test "a head that never ends is 408 after ConnectionTimeout=; a slow but whole one is served" {
    send 'GET /api/v1/healthz HTTP/1.1\r\nHost: b\r\n'
    json_error 408 request_timeout "did not arrive in time"
    send 'GET /api/v1/healthz HTTP/1.1\r\nHost: b\r\n\r\n' '--pause-after 10 1'
    [[ "$output" == "HTTP/1.1 200 "* ]]
}

@test "a request after the first on one connection never reaches libmicrohttpd's own parser" {
    big=$(head -c 90000 /dev/zero | tr '\0' a)
    send "GET /api/v1/healthz HTTP/1.1\r\nHost: b\r\n\r\nGET /api/v1/healthz HTTP/1.1\r\nHost: b\r\nX-Big: $big\r\n\r\n"
    [[ "$output" == "HTTP/1.1 200 "* ]]
    [ "$(grep -c '^HTTP/1.1 ' <<< "$output")" = 1 ]
    [ "$(grep -ci '<html' <<< "$output")" = 0 ]
}

@test "a slurmrestd that serves only Slurm REST versions the bridge does not know: readyz is 503 naming both lists" {
    # a stand-in for a future slurmrestd at the bridge's Slurmrestd= socket:
    # its /openapi/v3 lists v0.0.46 and v0.0.47 only
    python3 - "$ED/run/no-slurmrestd.sock" <<'PY' &
import http.server, json, os, socketserver, sys
path = sys.argv[1]
doc = json.dumps({"openapi": "3.0.3", "paths": {p: {} for p in (
    "/slurm/v0.0.46/jobs/", "/slurm/v0.0.46/job/submit", "/slurm/v0.0.47/jobs/", "/slurm/v0.0.47/job/submit")}}).encode()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = doc if self.path == "/openapi/v3" else b'{"errors":[{"error":"not found"}]}'
        self.send_response(200 if self.path == "/openapi/v3" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def address_string(self): return "local"
    def log_message(self, *a): pass
class S(socketserver.UnixStreamServer):
    pass
s = S(path, H)
os.chmod(path, 0o666)
s.timeout = 1
for _ in range(30):
    s.handle_request()
PY
    pid=$!
    wait_until 10 test -S "$ED/run/no-slurmrestd.sock"
    send 'GET /api/v1/readyz HTTP/1.1\r\nHost: b\r\n\r\n'
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
    rm -f "$ED/run/no-slurmrestd.sock"
    [[ "$output" == "HTTP/1.1 503 "* ]] || { echo "$output" >&3; return 1; }
    body=${output#*$'\r\n\r\n'}
    jq -e '.status == "not ready" and .slurmrestd == "up" and .slurm_api.version == null and .error.code == "slurm_version"' <<< "$body"
    jq -e '.error.message | test("serves: v0.0.4[67], v0.0.4[67]") and test("knows: v0.0.45, v0.0.44, v0.0.43, v0.0.42, v0.0.41, v0.0.40, v0.0.38")' <<< "$body"
}

@test "after every refusal the bridge still serves and logged no crash" {
    send 'GET /api/v1/healthz HTTP/1.1\r\nHost: b\r\n\r\n'
    [[ "$output" == "HTTP/1.1 200 "* ]]
    kill -0 "$(cat "$ED/bridge.pid")"
    refute grep -qi 'assert\|segfault\|sanitizer' "$ED/bridge.log"
}
