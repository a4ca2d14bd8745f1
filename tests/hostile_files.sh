#!/bin/sh
# Hostile files (issue 22, part 3; docs/robustness.md): each CASE gives wgsim
# a file that is not what it expects and checks the message and the exit
# status (2: bad input). Every command runs under `timeout`, so a read that
# blocks (a FIFO) fails the case instead of hanging the suite.
# usage: hostile_files.sh WGSIM SOURCE_DIR WORKDIR CASE
wgsim=$1 src=$2 case=$4 d=$3/hostile-$4
rm -rf "$d" && mkdir -p "$d" || exit 1
cd "$d" || exit 1
starter=$src/scenarios/examples/starter.yaml
fails=0
# expect WHAT STATUS LINE -- CMD...: CMD exits with STATUS and prints LINE
# (a whole line, on stdout or stderr)
expect() {
    what=$1 want=$2 line=$3
    shift 4
    timeout 20 "$@" > out.txt 2>&1
    got=$?
    if [ "$got" != "$want" ]; then
        printf 'FAILED: %s: exit %s, want %s\n' "$what" "$got" "$want"
        cat out.txt
        fails=$((fails + 1))
    elif ! grep -qxF -- "$line" out.txt; then
        printf 'FAILED: %s: no line\n  %s\nin:\n' "$what" "$line"
        cat out.txt
        fails=$((fails + 1))
    fi
}
peer_conf() { # a configuration wgsim peer accepts
    printf '[Interface]\nPrivateKey = uDgZvX3/rREpig3FVxkknfL0fasPuJM7hNAyQLO8CH4=\nAddress = 10.77.0.1/24\n[Peer]\nPublicKey = c962zL8wgRTBOENnwTBtiFWGQBlO8JXuJYAqh5YSFjk=\nEndpoint = 127.0.0.1:9\nAllowedIPs = 10.77.0.2/32\n' > "$1"
}

case $case in
fifo)
    mkfifo f.yaml && mkdir dir && cp "$starter" dir/ && mkfifo dir/pipe.yaml || exit 1
    msg="is not a regular file but a FIFO (named pipe), which could block the read forever"
    expect "run FIFO" 2 "f.yaml: $msg" -- "$wgsim" run f.yaml
    expect "validate FIFO" 2 "f.yaml: $msg" -- "$wgsim" validate f.yaml
    expect "test FIFO" 2 "    f.yaml: $msg" -- "$wgsim" test f.yaml
    expect "peer FIFO" 2 "f.yaml: $msg" -- "$wgsim" peer f.yaml
    expect "baseline FIFO" 2 "wgsim test: --baseline: f.yaml: $msg" -- "$wgsim" test --baseline f.yaml "$starter"
    expect "FIFO in a directory" 2 "wgsim validate: dir/pipe.yaml: is not a regular file (a FIFO, a device or a socket), not read" -- "$wgsim" validate dir
    ;;
device)
    expect "run /dev/zero" 2 "/dev/zero: is not a regular file but a character device" -- "$wgsim" run /dev/zero
    expect "validate /dev/null" 2 "/dev/null: is not a regular file but a character device" -- "$wgsim" validate /dev/null
    expect "peer /dev/zero" 2 "/dev/zero: is not a regular file but a character device" -- "$wgsim" peer /dev/zero
    ;;
directory)
    mkdir dir || exit 1
    expect "run DIR" 2 "dir: is a directory, not a scenario file (wgsim test and wgsim validate take directories)" -- "$wgsim" run dir
    expect "peer DIR" 2 "dir: is a directory, not a file" -- "$wgsim" peer dir
    ;;
symlink-loop)
    ln -s b.yaml a.yaml && ln -s a.yaml b.yaml && mkdir dir && cp "$starter" dir/ && ln -s loop.yaml dir/loop.yaml || exit 1
    expect "run a link loop" 2 "a.yaml: cannot open: Too many levels of symbolic links" -- "$wgsim" run a.yaml
    expect "validate a link loop" 2 "wgsim validate: a.yaml: Too many levels of symbolic links" -- "$wgsim" validate a.yaml
    expect "peer a link loop" 2 "a.yaml: cannot open: Too many levels of symbolic links" -- "$wgsim" peer a.yaml
    expect "a link loop in a directory" 2 "wgsim validate: dir/loop.yaml: Too many levels of symbolic links" -- "$wgsim" validate dir
    ;;
bom)
    # accepted at the start (YAML 1.2 §5.2), columns counted after it; refused anywhere else
    { printf '\357\273\277'; cat "$starter"; } > bom.yaml
    { printf '\357\273\277---\n'; cat "$starter"; } > bom-doc.yaml
    printf '\357\273\277name: x\n' > bom-col.yaml
    printf 'name: x\n\357\273\277nodes: {}\n' > bom-inside.yaml
    expect "BOM" 0 "bom.yaml: ok (3 nodes, 2 events, 5 expectations)" -- "$wgsim" validate bom.yaml
    expect "BOM then ---" 0 "bom-doc.yaml: ok (3 nodes, 2 events, 5 expectations)" -- "$wgsim" validate bom-doc.yaml
    expect "BOM: column 1" 2 "bom-col.yaml:1:1: the scenario: missing required key 'nodes'" -- "$wgsim" validate bom-col.yaml
    peer_conf p.conf && { printf '\357\273\277'; cat p.conf; } > bom.conf
    expect "BOM in a configuration" 2 "bom.conf:1: the file starts with a UTF-8 byte-order mark, which wg(8) does not read either; save it without one" -- "$wgsim" peer bom.conf
    expect "BOM inside" 2 "bom-inside.yaml:2:1: byte-order mark (U+FEFF) inside the file: only the very start of a file may have one" -- "$wgsim" validate bom-inside.yaml
    ;;
empty-directory)
    mkdir empty notes && echo hi > notes/readme.txt || exit 1
    for c in validate test list; do
        expect "$c empty" 2 "wgsim $c: empty: no scenario file (*.yaml, *.yml) in this directory or below" -- "$wgsim" $c empty
        expect "$c no *.yaml" 2 "wgsim $c: notes: no scenario file (*.yaml, *.yml) in this directory or below" -- "$wgsim" $c notes
    done
    ;;
unreadable)
    cp "$starter" s.yaml && peer_conf p.conf && chmod 000 s.yaml p.conf || exit 1
    as=""
    if [ "$(id -u)" = 0 ]; then # root reads any file: run as nobody
        command -v setpriv >/dev/null || { echo "SKIP: root without setpriv"; exit 77; }
        chmod 755 "$d" && as="setpriv --reuid=65534 --regid=65534 --clear-groups"
    fi
    expect "run unreadable" 2 "s.yaml: cannot open: Permission denied" -- $as "$wgsim" run s.yaml
    expect "peer unreadable" 2 "p.conf: cannot open: Permission denied" -- $as "$wgsim" peer p.conf
    ;;
too-large)
    # sparse files: refused by their size before a byte is read
    truncate -s 64M big.yaml && printf 'x' >> big.yaml && truncate -s 1048577 big.conf || exit 1
    expect "scenario over 64 MiB" 2 "big.yaml: file too large (67108865 bytes; scenario files are limited to 64 MiB, 67108864 bytes)" -- "$wgsim" validate big.yaml
    expect "configuration over 1 MiB" 2 "big.conf: file too large (1048577 bytes; WireGuard configurations are limited to 1 MiB, 1048576 bytes)" -- "$wgsim" peer big.conf
    ;;
bytes)
    printf 'name: x\nno\000des: {}\n' > nul.yaml
    printf 'name: caf\351\n' > latin1.yaml
    { printf 'name: x\nnodes: '; i=0; while [ $i -lt 70 ]; do printf '['; i=$((i + 1)); done; echo; } > deep.yaml
    peer_conf nul.conf && printf 'Junk\000\n' >> nul.conf
    expect "NUL byte" 2 "nul.yaml:2:3: NUL byte: this is not a text file (scenario files are UTF-8 YAML)" -- "$wgsim" validate nul.yaml
    expect "not UTF-8" 2 "latin1.yaml:1:10: invalid UTF-8 (byte 0xE9): scenario files must be UTF-8 text" -- "$wgsim" validate latin1.yaml
    expect "deep nesting" 2 "deep.yaml:2:71: nesting deeper than 64 levels" -- "$wgsim" validate deep.yaml
    expect "NUL in a configuration" 2 "nul.conf:8: NUL byte in the line (not a text file?)" -- "$wgsim" peer nul.conf
    ;;
durations)
    sed 's/^duration: .*/duration: 1000001h/' "$starter" > long.yaml
    sed 's/^duration: .*/duration: 60000000000ns/' "$starter" > ns.yaml
    sed 's/do: link-down fw-b wan/do: reboot fw-b 1.5ns/' "$starter" > fine.yaml
    expect "duration over the limit" 2 "long.yaml:21:11: duration: '1000001h' is longer than 1000000h (about 114 years), the longest duration wgsim takes" -- "$wgsim" validate long.yaml
    expect "60000000000ns" 0 "ns.yaml: ok (3 nodes, 2 events, 5 expectations)" -- "$wgsim" validate ns.yaml
    expect "finer than 1ns" 2 "fine.yaml:68:31: do: '1.5ns' is finer than 1ns, the tick of the simulated clock (usage: reboot NODE [DOWNTIME])" -- "$wgsim" validate fine.yaml
    sed 's/rtt: "< 100ms"/rtt: "< 2000000h"/' "$starter" > rtt.yaml
    expect "time comparison over the limit" 2 "rtt.yaml:79:60: rtt: '< 2000000h': '2000000h' is longer than 1000000h (about 114 years), the longest duration wgsim takes" -- "$wgsim" validate rtt.yaml
    expect "run --at over the limit" 2 "wgsim run: --at: '2000000h' is longer than 1000000h (about 114 years), the longest duration wgsim takes" -- "$wgsim" run --at 2000000h "$starter"
    ;;
peer-interval)
    peer_conf p.conf || exit 1
    expect "--interval 1ns" 2 "wgsim peer: --interval '1ns': at least 2ms, the shortest interval ping(8) allows a user who is not root (iputils MIN_USER_INTERVAL_MS); closer requests are a flood, not a reachability test" -- "$wgsim" peer p.conf --ping 10.77.0.2 --interval 1ns
    expect "--interval 2ms" 1 "1 transmitted, 0 received, 100% packet loss" -- "$wgsim" peer p.conf --ping 10.77.0.2 --count 1 --interval 2ms --timeout 0 --duration 2s
    expect "--timeout over the limit" 2 "wgsim peer: --timeout '1000001h' is longer than 1000000h (about 114 years), the longest duration wgsim takes" -- "$wgsim" peer p.conf --ping 10.77.0.2 --timeout 1000001h
    expect "--duration 0" 2 "wgsim peer: --duration '0': must be more than 0" -- "$wgsim" peer p.conf --duration 0
    ;;
*)
    echo "unknown case $case"
    exit 1
    ;;
esac
[ $fails = 0 ] && echo "hostile files ($case): all checks passed"
