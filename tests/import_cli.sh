#!/bin/sh
# import_cli.sh WGSIM SOURCE_DIR WORK_DIR — `wgsim import` end to end on the
# sample backups of tests/import/ (issue 21): each import is validated and
# run (`wgsim test` passes), no secret of any sample (tests/import/SECRETS.txt)
# appears in any output, and bad inputs stop with exit 2 and a location.
# Prints FAILED: ... for each problem and import-ok at the end when none.
W=$1
S=$2/tests/import
D=$3/import-cli
rm -rf "$D" && mkdir -p "$D" || exit 1
fail() { echo "FAILED: $*"; }

# run_import NAME ARGS...: the scenario to $D/NAME.yaml, stderr to $D/NAME.err
run_import() {
    n=$1; shift
    "$W" import "$@" -o "$D/$n.yaml" 2>"$D/$n.err"
    rc=$?
    [ $rc -eq 0 ] || { fail "$n: import exit $rc: $(cat "$D/$n.err")"; return; }
    "$W" validate --strict "$D/$n.yaml" >/dev/null 2>"$D/$n.validate" || fail "$n: validate: $(cat "$D/$n.validate")"
    "$W" test "$D/$n.yaml" >"$D/$n.test" 2>&1 || fail "$n: wgsim test: $(cat "$D/$n.test")"
    echo "$n: $(tail -n 1 "$D/$n.test")"
}

run_import pfsense-ha "$S/pfsense-ha-fw1.xml" "$S/pfsense-ha-fw2.xml"
run_import pfsense-single "$S/pfsense-single-dhcp.xml" --address wan=198.51.100.20/24
run_import opnsense-ha "$S/opnsense-ha-fw1.xml" "$S/opnsense-ha-fw2.xml"
run_import opnsense-single "$S/opnsense-single-dhcp.xml" --address wan=198.51.100.77/24
# OPNsense's "Disable preempt": carp-preempt: false, and a maintenance that moves nothing
for i in 1 2; do
    sed 's|<disablepreempt>0</disablepreempt>|<disablepreempt>1</disablepreempt>|' "$S/opnsense-ha-fw$i.xml" >"$D/opn$i-nopreempt.xml"
done
run_import opnsense-nopreempt "$D/opn1-nopreempt.xml" "$D/opn2-nopreempt.xml"
grep -q "carp-preempt: false" "$D/opnsense-nopreempt.yaml" || fail "MISSING: carp-preempt: false"
# odd but valid OPNsense input still makes a scenario that loads: a gateway whose <interface> is empty (the
# model's default wan, a DHCP WAN whose --address network does not hold it), outbound NAT and a filter rule
# on interfaces the backup does not have (found by mutating the sample)
perl -0pe 's|<interface>opt1</interface>(\s*<gateway>203)|<interface/>$1|; s|<interface>wan</interface>(\s*<ipprotocol>inet</ipprotocol>\s*<protocol>any</protocol>\s*<source_net>lan)|<interface>\|\|\|</interface>$1|; s|<interface>lan</interface>(\s*<direction>in</direction>\s*<ipprotocol>inet</ipprotocol>\s*<protocol>any</protocol>\s*<source_net>lan)|<interface>opt9</interface>$1|' \
    "$S/opnsense-single-dhcp.xml" >"$D/opnsense-odd.xml"
cmp -s "$S/opnsense-single-dhcp.xml" "$D/opnsense-odd.xml" && fail "opnsense-odd.xml: the edits did not apply"
run_import opnsense-odd "$D/opnsense-odd.xml" --address wan=198.51.100.77/24
for want in "gateway WAN2GW on wan" "outbound NAT on '|||'" "rule on 'opt9'"; do
    grep -q -F -- "$want" "$D/opnsense-odd.yaml" || fail "MISSING in the odd OPNsense import: $want"
done
# an OPNsense pair that drifted: a peer key differs (one remote host at that endpoint, a finding), and a
# tunnel on the secondary only (its remotes peer with the node that has it); both load
sed -e 's|c+uSb1p+p/LIer+PPqOQzu4lWh7JRCZe+lmsBDGaQBc=|9Kx0vQm3bT7sW2eY5uZ8aR1cD4fG6hJ9kL2nP5qS8tU=|' \
    "$S/opnsense-ha-fw1.xml" >"$D/opn1-otherkey.xml"
"$W" import "$D/opn1-otherkey.xml" "$S/opnsense-ha-fw2.xml" -o "$D/opnsense-drift-key.yaml" 2>"$D/opnsense-drift-key.err" ||
    fail "opnsense-drift-key: $(cat "$D/opnsense-drift-key.err")"
"$W" test "$D/opnsense-drift-key.yaml" >"$D/opnsense-drift-key.test" 2>&1 || fail "opnsense-drift-key: $(cat "$D/opnsense-drift-key.test")"
echo "opnsense-drift-key: $(tail -n 1 "$D/opnsense-drift-key.test")"
grep -q "WireGuard peer site-a of wg0 (opn1) is on opn1 only" "$D/opnsense-drift-key.yaml" || fail "MISSING: the key drift finding"
sed -e 's|<instance>0</instance>|<instance>none</instance>|' "$S/opnsense-ha-fw1.xml" >"$D/opn1-notunnel.xml"
"$W" import "$D/opn1-notunnel.xml" "$S/opnsense-ha-fw2.xml" -o "$D/opnsense-drift-tunnel.yaml" 2>"$D/opnsense-drift-tunnel.err" ||
    fail "opnsense-drift-tunnel: $(cat "$D/opnsense-drift-tunnel.err")"
grep -q "node: opn2, interface: wg0" "$D/opnsense-drift-tunnel.yaml" || fail "MISSING: remotes peer with opn2"
"$W" test "$D/opnsense-drift-tunnel.yaml" >"$D/opnsense-drift-tunnel.test" 2>&1 ||
    fail "opnsense-drift-tunnel: $(cat "$D/opnsense-drift-tunnel.test")"
echo "opnsense-drift-tunnel: $(tail -n 1 "$D/opnsense-drift-tunnel.test")"
# stdout is the same scenario as -o
"$W" import "$S/pfsense-ha-fw1.xml" "$S/pfsense-ha-fw2.xml" 2>/dev/null | cmp -s - "$D/pfsense-ha.yaml" || fail "stdout differs from -o"
# same seed, same bytes; another seed, other keys only
"$W" import "$S/pfsense-ha-fw1.xml" "$S/pfsense-ha-fw2.xml" --seed 7 2>/dev/null >"$D/seed7.yaml"
[ "$(diff "$D/pfsense-ha.yaml" "$D/seed7.yaml" | grep -c '^[<>]')" -gt 0 ] || fail "--seed changes nothing"
diff "$D/pfsense-ha.yaml" "$D/seed7.yaml" | grep '^[<>]' | grep -v 'private-key:\|^[<>] seed: \|^[<>] # Seed ' && fail "--seed changed more than keys"

# each commented-out procedure, enabled with the expectations marked like it, runs and passes
for n in pfsense-ha pfsense-single opnsense-ha opnsense-single opnsense-nopreempt; do
    for p in maintenance power-off gateway-down; do
        grep -q "do: .*# \[$p\]" "$D/$n.yaml" || continue
        sed -E -e 's/^# events:/events:/' -e "/\[$p\]/ s/^#   - /  - /" -e "/\[$p\]/ s/^  # - /  - /" \
            "$D/$n.yaml" >"$D/$n-$p.yaml"
        "$W" test "$D/$n-$p.yaml" >"$D/$n-$p.test" 2>&1 || fail "$n with $p: $(cat "$D/$n-$p.test")"
        echo "$n with $p: $(tail -n 1 "$D/$n-$p.test")"
    done
done

# secrets: no line of SECRETS.txt in any output or message
n_secrets=$(grep -c . "$S/SECRETS.txt")
[ "$n_secrets" -gt 10 ] || fail "SECRETS.txt has only $n_secrets lines"
for f in "$D"/*.yaml "$D"/*.err; do
    if grep -F -q -f "$S/SECRETS.txt" "$f"; then fail "secret PRESENT in $f: $(grep -F -o -f "$S/SECRETS.txt" "$f" | head -n 1)"; fi
done
# the header says what was added and lists unmodelled settings with their XPath
for want in "isp-WAN1GW" "remote WireGuard host" "roaming" "/pfsense/ipsec/phase1" "/pfsense/openvpn/openvpn-server" \
    "gateway: WAN2GW}   # filter/rule\[4\]" "to: 10.10.0.30:51820}   # nat/rule\[1\]" "to: 10.10.0.31:443, address: 198.51.100.10}   # nat/rule\[2\]" "ipaddrv6" "pre-shared key" "derived from the seed" "state: master" \
    "state: backup" "# events:" "power-off" "maintenance" "gateway-down"; do
    grep -q -- "$want" "$D/pfsense-ha.yaml" || fail "MISSING in the HA import: $want"
done
grep -q "dhcp in the backup" "$D/pfsense-single.yaml" || fail "MISSING: --address noted in the header"
# OPNsense: its XPaths, the wireguard group, its options and its automatic NAT
for want in "(OPNsense, hostname opn1)" "pfsync: {peer: opn2, interface: opt2}   # /opnsense/hasync" \
    "state-policy: floating" "resolve-interval: 0s" "carp-depend-on: 2   # carp_depend_on" \
    "gateway-semantics: opnsense" "/opnsense/OPNsense/TrafficShaper/pipes/pipe\[1\]" "via: default-switching" \
    "OPNsense generates (filter.lib.inc filter_auto_source_nat)" "state: master" "state: backup"; do
    grep -q -- "$want" "$D/opnsense-ha.yaml" || fail "MISSING in the OPNsense HA import: $want"
done
for want in "interface: WireGuard, src: 10.71.0.0/24" "interface: wg1, protocol: udp" "auto-route-to: false" \
    "address: 10.71.0.1/24" \
    "state-policy: if-bound" "resolve-interval: 300s" "/opnsense/OPNsense/Swanctl/Connections/Connection\[1\]" \
    "hostname or IPv6" "dhcp in the backup" "to: 10.70.0.30:51820}   # nat/rule\[1\]"; do
    grep -q -- "$want" "$D/opnsense-single.yaml" || fail "MISSING in the OPNsense single import: $want"
done

# expect_exit CODE PATTERN NAME ARGS...: exit status and a message matching PATTERN
expect_exit() {
    code=$1 pat=$2 n=$3; shift 3
    timeout 20 "$W" import "$@" >"$D/$n.out" 2>"$D/$n.err" # a read that blocks fails, not hangs
    rc=$?
    [ $rc -eq "$code" ] || fail "$n: exit $rc, expected $code"
    grep -q -E -- "$pat" "$D/$n.err" "$D/$n.out" || fail "$n: MISSING message /$pat/: $(cat "$D/$n.err")"
    [ -s "$D/$n.out" ] && [ "$code" -eq 2 ] && fail "$n: wrote something on stdout"
    echo "$n: exit $rc"
}
expect_exit 2 "bad-malformed.xml:[0-9]+: XML: " malformed "$S/bad-malformed.xml"
expect_exit 2 "bad-truncated.xml:[0-9]+: XML: " truncated "$S/bad-truncated.xml"
expect_exit 2 "bad-no-interfaces.xml:[0-9]+: no enabled interface" no-interfaces "$S/bad-no-interfaces.xml"
expect_exit 2 "opnsense-single-dhcp.xml:[0-9]+: interface wan .* is dhcp: .*--address wan=ADDR/LEN" opn-dynamic \
    "$S/opnsense-single-dhcp.xml"
expect_exit 2 "not an HA pair" opn-not-a-pair "$S/opnsense-ha-fw1.xml" "$S/opnsense-single-dhcp.xml" \
    --address wan=198.51.100.77/24
expect_exit 2 "opnsense-single-dhcp.xml:[0-9]+: interface lan \\(10.70.0.1/24\\) overlaps interface wan \\(10.0.0.1/8\\); the address of --address wan" \
    opn-overlap "$S/opnsense-single-dhcp.xml" --address wan=10.0.0.1/8
expect_exit 2 "not modelled: /opnsense/" opn-strict --strict "$S/opnsense-ha-fw1.xml" "$S/opnsense-ha-fw2.xml"
expect_exit 0 "0 HA-pair findings, 0 linter warnings; nothing written" opn-check --check "$S/opnsense-ha-fw1.xml" \
    "$S/opnsense-ha-fw2.xml"
expect_exit 2 "not an HA pair" not-a-pair "$S/pfsense-ha-fw1.xml" "$S/bad-not-a-pair-fw2.xml"
expect_exit 2 "pfsense-single-dhcp.xml:[0-9]+: interface wan .* is dhcp: .*--address wan=ADDR/LEN" dynamic "$S/pfsense-single-dhcp.xml"
expect_exit 2 "--address lan: no dynamic" address-static "$S/pfsense-single-dhcp.xml" --address wan=198.51.100.20/24 --address lan=10.0.0.9/24
expect_exit 2 "not an IPv4 host address" address-bad "$S/pfsense-single-dhcp.xml" --address wan=198.51.100.0/24
expect_exit 2 "not modelled: /pfsense/ipsec/phase1\[1\]" strict --strict "$S/pfsense-ha-fw1.xml" "$S/pfsense-ha-fw2.xml"
expect_exit 2 "nonexistent.xml: cannot open: No such file" missing "$D/nonexistent.xml"
# read as scenario files are (docs/robustness.md): never a blocking or endless read
mkfifo "$D/fifo.xml" && expect_exit 2 "fifo.xml: is not a regular file but a FIFO" fifo "$D/fifo.xml"
expect_exit 2 "/dev/zero: is not a regular file but a character device" device /dev/zero
expect_exit 2 "is a directory, not a file" directory "$S"
expect_exit 2 "unknown option" option --frobnicate "$S/pfsense-single-dhcp.xml"
expect_exit 2 "--name 'a b': 1-63 characters" name "$S/pfsense-single-dhcp.xml" --name "a b"
"$W" import "$S/pfsense-single-dhcp.xml" --address wan=198.51.100.20/24 --name site-2 2>/dev/null | grep -qx "name: site-2" || fail "MISSING: --name"
cp "$S/pfsense-single-dhcp.xml" "$D/keep.xml"
expect_exit 2 "is the backup .*: refused" overwrite "$D/keep.xml" --address wan=198.51.100.20/24 -o "$D/keep.xml"
cmp -s "$S/pfsense-single-dhcp.xml" "$D/keep.xml" || fail "-o overwrote the backup"
printf '<?xml version="1.0"?>\n<!DOCTYPE pfsense [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<pfsense>&x;</pfsense>\n' >"$D/xxe.xml"
expect_exit 2 "xxe.xml:2: a DOCTYPE" doctype "$D/xxe.xml"
printf '<nothing/>\n' >"$D/other.xml"
expect_exit 2 "other.xml:1: root element <nothing>" root "$D/other.xml"
# --check: the findings, nothing written
expect_exit 0 "0 HA-pair findings, 0 linter warnings; nothing written" check --check "$S/pfsense-ha-fw1.xml" "$S/pfsense-ha-fw2.xml" -o "$D/check.yaml"
[ -e "$D/check.yaml" ] && fail "--check wrote a file"
# a pair that differs: the second backup with another advskew and no pfsync
sed -e 's|<advskew>100</advskew>|<advskew>0</advskew>|' -e 's|<pfsyncenabled>on</pfsyncenabled>||' \
    "$S/pfsense-ha-fw2.xml" >"$D/fw2-differs.xml"
expect_exit 1 "warning: CARP vhid [0-9]+: both nodes advertise advbase 1 advskew 0" check-differs \
    --check "$S/pfsense-ha-fw1.xml" "$D/fw2-differs.xml"
grep -q "warning: carp: vhid .*\[carp-equal-priority\]" "$D/check-differs.out" || fail "MISSING: linter findings in --check"
grep -q "fw2: pfsync is not enabled" "$D/check-differs.out" || fail "MISSING: pfsync finding in --check"
"$W" import "$S/pfsense-ha-fw1.xml" "$D/fw2-differs.xml" >"$D/differs.yaml" 2>"$D/differs.err" || fail "differs: exit $?"
grep -q "# HA pair: the backups differ" "$D/differs.yaml" || fail "MISSING: HA findings in the header"
grep -q "wgsim import: .*warning: CARP vhid" "$D/differs.err" || fail "MISSING: HA findings on stderr"
"$W" test "$D/differs.yaml" >"$D/differs.test" 2>&1 || fail "differs: wgsim test: $(cat "$D/differs.test")"
# split preferences: vhid 1 prefers fw2, the others fw1 - reported, and the import still runs
sed -e '0,/<advskew>0<\/advskew>/s//<advskew>150<\/advskew>/' "$S/pfsense-ha-fw1.xml" >"$D/fw1-split.xml"
expect_exit 1 "CARP vhid 1 prefers fw2 but vhid 2 prefers fw1" check-split --check "$D/fw1-split.xml" "$S/pfsense-ha-fw2.xml"
"$W" import "$D/fw1-split.xml" "$S/pfsense-ha-fw2.xml" -o "$D/split.yaml" 2>/dev/null || fail "split: exit $?"
"$W" test "$D/split.yaml" >"$D/split.test" 2>&1 || fail "split: wgsim test: $(cat "$D/split.test")"
# the same for an OPNsense pair (pfsync is on when pfsyncinterface is set)
sed -e 's|<advskew>100</advskew>|<advskew>0</advskew>|' -e 's|<pfsyncinterface>opt2</pfsyncinterface>|<pfsyncinterface/>|' \
    "$S/opnsense-ha-fw2.xml" >"$D/opn2-differs.xml"
expect_exit 1 "warning: CARP vhid [0-9]+: both nodes advertise advbase 1 advskew 0" opn-check-differs \
    --check "$S/opnsense-ha-fw1.xml" "$D/opn2-differs.xml"
grep -q "opn2: pfsync is not enabled (/opnsense/hasync/pfsyncinterface)" "$D/opn-check-differs.out" ||
    fail "MISSING: OPNsense pfsync finding in --check"
"$W" import --help | grep -q "usage: wgsim import FW1.xml \[FW2.xml\]" || fail "MISSING: import --help"
echo import-ok
