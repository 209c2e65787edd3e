#!/usr/bin/env bash
# ovs-pki: init, req, sign, req+sign, self-sign, verify, fingerprint and
# their errors; then our ovsdb-server on pssl: with a certificate ovs-pki
# signed accepts a client whose certificate the same PKI signed (our
# ovsdb-client, and stock ovsdb-client when installed), and a client with
# a self-signed certificate is refused.
set -u
BIN=${GREBE_BIN:?GREBE_BIN must point at the build bin directory}
PKI=$BIN/ovs-pki
[ -x "$PKI" ] || { echo "SKIP: ovs-pki not built"; exit 77; }
command -v openssl >/dev/null || { echo "SKIP: no openssl"; exit 77; }
DIR=$(mktemp -d /tmp/test-ovs-pki.XXXXXX)
export OVS_RUNDIR=$DIR OVS_LOGDIR=$DIR OVS_DBDIR=$DIR
cleanup() {
  [ -f "$DIR/ovsdb-server.pid" ] && kill -KILL "$(cat "$DIR/ovsdb-server.pid")" 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$DIR/ovsdb-server.log" ] && tail -20 "$DIR/ovsdb-server.log"; exit 1; }
pass() { echo "ok: $*"; }
cd "$DIR" || exit 1
pki() { "$PKI" --dir="$DIR/pki" --log="$DIR/pki.log" "$@"; }

out=$(pki init 2>&1) || fail "init: $out"
[ "$out" = "Creating controllerca...
Creating switchca..." ] || fail "init said: $out"
for ca in switchca controllerca; do
  [ -f "pki/$ca/cacert.pem" ] && [ -f "pki/$ca/private/cakey.pem" ] || fail "$ca not created"
  openssl x509 -in "pki/$ca/cacert.pem" -noout -subject | grep -q "OU = $ca" || fail "$ca subject"
  [ "$(stat -c %a "pki/$ca/private")" = 700 ] || fail "$ca/private not 0700"
done
err=$(pki init 2>&1); [ $? = 1 ] && [ "$err" = "$PKI: $DIR/pki already exists and --force not specified" ] \
  || fail "second init: $err"
pass "init creates switchca and controllerca"

out=$(pki req+sign server 2>&1) || fail "req+sign: $out"
[[ "$out" =~ ^server-req.pem$'\t'.*$'\n'$'\t'fingerprint\ [0-9a-f]{40}$ ]] || fail "req+sign printed: $out"
[ -f server-privkey.pem ] && [ -f server-cert.pem ] || fail "req+sign files"
[ "$(stat -c %a server-privkey.pem)" = 600 ] || fail "private key mode $(stat -c %a server-privkey.pem)"
out=$(pki verify server) && [ "$out" = "server-cert.pem: OK" ] || fail "verify server: $out"
openssl x509 -in server-cert.pem -noout -subject | grep -q "CN = server id:" || fail "CN lacks unique id"
pki verify server controller >/dev/null 2>&1 && fail "switch cert verified against controllerca"

pki -u req client >/dev/null || fail "req client"
openssl x509 -in client-req.pem >/dev/null 2>&1 && fail "req produced a certificate"
openssl req -in client-req.pem -noout -subject | grep -q "CN = client$" || fail "--unique CN"
err=$(echo no | pki sign client 2>&1); [ $? = 1 ] && echo "$err" | grep -q "Match failure, aborting" \
  || fail "sign without confirmation: $err"
out=$(echo yes | pki sign client 2>&1) || fail "sign with confirmation: $out"
echo "$out" | grep -q "Does fingerprint match? (yes/no)" || fail "sign did not ask: $out"
rm client-cert.pem
pki -b sign client controller >/dev/null || fail "sign -b controller"
pki verify client controller >/dev/null || fail "verify client controller"
pass "req, sign (interactive and --batch), req+sign, verify"

pki -u req self >/dev/null && pki self-sign self || fail "self-sign"
openssl verify -CAfile self-cert.pem self-cert.pem >/dev/null || fail "self-signed cert invalid"
out=$(pki fingerprint self-cert.pem)
fp=$(openssl x509 -in self-cert.pem -noout -fingerprint -sha1 | sed 's/.*=//' | tr -d :)
[ "$out" = "self-cert.pem	$(date -r self-cert.pem)
	fingerprint $fp" ] || fail "fingerprint printed: $out"
cp self-req.pem "$(sha1sum self-req.pem | cut -c1-40)-x.pem"
out=$(pki fingerprint "$(sha1sum self-req.pem | cut -c1-40)-x.pem")
echo "$out" | grep -qx "	(correct fingerprint in filename)" || fail "fingerprint-named file: $out"
if [ -x /usr/bin/ovs-pki ]; then
  for f in self-cert.pem self-req.pem server-cert.pem; do
    [ "$(pki fingerprint $f)" = "$(/usr/bin/ovs-pki --log="$DIR/stock.log" fingerprint $f)" ] \
      || fail "fingerprint $f differs from stock ovs-pki"
  done
  /usr/bin/ovs-pki --dir="$DIR/pki" --log="$DIR/stock.log" verify server >/dev/null \
    || fail "stock ovs-pki does not verify our certificate"
fi
pass "self-sign and fingerprint"

# Errors.
err=$(pki 2>&1); [ $? = 1 ] && [ "$err" = "$PKI: missing command name; use --help for help" ] || fail "no command: $err"
err=$(pki frob 2>&1); [ $? = 1 ] && [ "$err" = "$PKI: frob command unknown; use --help for help" ] || fail "frob: $err"
err=$(pki --frob req x 2>&1); [ $? = 1 ] && [ "$err" = "unrecognized option --frob" ] || fail "--frob: $err"
err=$(pki -k ec req x 2>&1); [ $? = 1 ] && [ "$err" = "$PKI: argument to -k or --key must be rsa or dsa" ] || fail "-k ec: $err"
err=$(pki -B 512 req x 2>&1); [ $? = 1 ] && [ "$err" = "$PKI: argument to -B or --bits must be at least 1024" ] || fail "-B 512: $err"
err=$(pki req server 2>&1); [ $? = 1 ] && [ "$err" = "$PKI: server-privkey.pem already exists and --force not supplied" ] || fail "req exists: $err"
err=$(pki req 2>&1); [ $? = 1 ] && [ "$err" = "$PKI: req must have exactly one argument; use --help for help" ] || fail "req no arg: $err"
err=$(pki sign server bogus 2>&1); [ $? = 1 ] && [ "$err" = "$PKI: type argument must be 'switch' or 'controller'" ] || fail "bad type: $err"
err=$(pki a b c d 2>&1); [ $? = 1 ] && [ "$err" = "d: only two arguments may be specified" ] || fail "too many: $err"
err=$("$PKI" --dir="$DIR/nopki" --log="$DIR/pki.log" verify server 2>&1); [ $? = 1 ] \
  && [ "$err" = "$PKI: $DIR/nopki does not exist (need to run 'init' or use '--dir'?)" ] || fail "no pki dir: $err"
pass "errors"

# Our ovsdb-server on pssl: with ovs-pki's certificates.
for p in ovsdb-server ovsdb-tool ovsdb-client; do
  [ -x "$BIN/$p" ] || { echo "ovsdb programs not built: SSL check skipped"; exit 0; }
done
cat > schema.json <<'JSON'
{"name": "pkitest", "version": "1.0.0", "tables": {"t": {"columns": {"x": {"type": "integer"}}}}}
JSON
"$BIN/ovsdb-tool" create db schema.json || fail "create db"
"$BIN/ovsdb-server" db --remote=pssl:0:127.0.0.1 --private-key=server-privkey.pem \
  --certificate=server-cert.pem --ca-cert=pki/switchca/cacert.pem \
  --detach --no-chdir --pidfile --log-file || fail "ovsdb-server did not start"
pid=$(cat ovsdb-server.pid)
port=
for _ in $(seq 100); do
  port=$("$BIN/ovs-appctl" -t "$DIR/ovsdb-server.$pid.ctl" ovsdb-server/list-remotes 2>/dev/null |
         sed -n 's/^pssl:\([0-9]*\):.*/\1/p' | grep -v '^0$' | head -1)
  [ -n "$port" ] && break
  port=$(ss -ltnp 2>/dev/null | grep "pid=$pid," | sed -n 's/.*127.0.0.1:\([0-9]*\) .*/\1/p' | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "no pssl port"
# A switch certificate signed by the same CA: accepted.
pki -u req+sign client2 >/dev/null || fail "req+sign client2"
CLIENTS=("$BIN/ovsdb-client")
[ -x /usr/bin/ovsdb-client ] && CLIENTS+=(/usr/bin/ovsdb-client)
for client in "${CLIENTS[@]}"; do
  out=$(timeout 20 "$client" --private-key=client2-privkey.pem --certificate=client2-cert.pem \
        --ca-cert=pki/switchca/cacert.pem list-dbs ssl:127.0.0.1:"$port" 2>&1) \
    || fail "$client over ssl: $out"
  echo "$out" | grep -qx pkitest || fail "$client list-dbs: $out"
  # A self-signed client certificate: refused.
  out=$(timeout 20 "$client" --private-key=self-privkey.pem --certificate=self-cert.pem \
        --ca-cert=pki/switchca/cacert.pem list-dbs ssl:127.0.0.1:"$port" 2>&1) \
    && fail "$client with a self-signed certificate was accepted: $out"
done
pass "ovsdb-server pssl: accepts ovs-pki certificates (${#CLIENTS[@]} clients), refuses others"
