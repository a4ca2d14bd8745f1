#!/bin/sh
# The Debian package (issue 23): cpack -G DEB into a throwaway directory,
# installed with dpkg into a throwaway root (DIR/var/lib/dpkg of its own), the
# installed wgsim run from elsewhere on the installed example scenarios (host
# libraries resolve; ns3_udp_echo found in ../libexec/wgsim beside the
# program), lintian when installed, then removed with nothing left behind.
# Runs as root or not (--force-not-root).
# usage: deb_package.sh BUILD_DIR WORK_DIR WITH_NS3(ON|OFF)
build="$1"; work="$2"; ns3="$3"
fail() { echo "FAIL: $*"; exit 1; }
for tool in dpkg dpkg-deb cpack; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (Debian only)"; exit 77; }
done
# dpkg looks for ldconfig and friends on PATH, which a non-root PATH may lack
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"; export PATH
rm -rf "$work" && mkdir -p "$work/pkg" "$work/elsewhere" || exit 1

cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/pkg" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack -G DEB failed"; }
deb=$(ls "$work"/pkg/wgsim_*_*.deb 2>/dev/null)
[ -n "$deb" ] && [ "$(echo "$deb" | wc -l)" -eq 1 ] || fail "no single wgsim_<version>_<arch>.deb in $work/pkg"
arch=$(dpkg --print-architecture)
version=$(dpkg-deb -f "$deb" Version)
[ "$(basename "$deb")" = "wgsim_${version}_$arch.deb" ] || fail "file name $(basename "$deb") for $version/$arch"
for field in Maintainer Description Section Priority Depends Installed-Size; do
  [ -n "$(dpkg-deb -f "$deb" "$field")" ] || fail "control field $field empty"
done
# Depends is what dpkg-shlibdeps found: the crypto and parsing libraries at least
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libsodium libb2 libyaml libjansson libedit2 libnettle libxml2 libc6; do
  echo "$depends" | grep -q "$lib" || fail "Depends lacks $lib: $depends"
done
[ "$ns3" = ON ] && { echo "$depends" | grep -q libns3 || fail "Depends lacks ns-3: $depends"; }
# the changelog's newest entry is this version
newest=$(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/share/doc/wgsim/changelog.gz | gzip -dc | head -1)
echo "$newest" | grep -q "^wgsim ($version) " || fail "changelog.gz starts '$newest', not version $version"

if command -v lintian >/dev/null; then
  lintian --fail-on error,warning "$deb" >"$work/lintian.log" 2>&1 ||
    { cat "$work/lintian.log"; fail "lintian found errors or warnings"; }
fi

# a dpkg database of our own
root="$work/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers" || exit 1
: >"$root/var/lib/dpkg/status" && : >"$root/var/lib/dpkg/available" || exit 1
# The throwaway root's database lists none of the libraries (--force-depends:
# they resolve from the host). Not root: dpkg unpacks as the user.
set -- dpkg --root="$root" --log=/dev/null --force-depends
[ "$(id -u)" -eq 0 ] || set -- "$@" --force-not-root
"$@" -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i failed"; }
dpkg --root="$root" -L wgsim >"$work/files" || fail "dpkg -L wgsim"
want="/usr/bin/wgsim /usr/share/man/man1/wgsim.1.gz /usr/share/man/man5/wgsim-scenario.5.gz
 /usr/share/doc/wgsim/copyright /usr/share/doc/wgsim/changelog.gz /usr/share/doc/wgsim/README.md
 /usr/share/doc/wgsim/scenario-language.md /usr/share/wgsim/scenarios/examples/starter.yaml
 /usr/share/bash-completion/completions/wgsim"
[ "$ns3" = ON ] && want="$want /usr/libexec/wgsim/ns3_udp_echo"
for f in $want; do
  grep -qx "$f" "$work/files" || fail "dpkg -L wgsim lacks $f"
  [ -s "$root$f" ] || fail "$f listed but not on disk"
done
if grep -v '^/usr\(/\|$\)\|^/\.$' "$work/files"; then fail "files outside /usr"; fi

# the installed program, run from elsewhere: the same build as build/wgsim
cd "$work/elsewhere" || exit 1
w="$root/usr/bin/wgsim"
[ "$("$w" --version)" = "$("$build/wgsim" --version)" ] || fail "installed --version differs: $("$w" --version)"
"$w" --version | head -1
"$w" test -j 2 "$root/usr/share/wgsim/scenarios/" >"$work/test.log" 2>&1
rc=$?
tail -1 "$work/test.log"
[ $rc -eq 0 ] || fail "wgsim test on the installed scenarios: exit $rc"
if [ "$ns3" = ON ]; then
  "$w" bench scale-udp --quick --peers 10 --seconds 5 --json | sed -n 's/^{"bench": "\(scale-udp\)",.*/\1 ran with the installed ns3_udp_echo/p'
fi
cd "$work" || exit 1

"$@" -r wgsim >>"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -r failed"; }
status=$(dpkg-query --root="$root" -W -f='${db:Status-Status}' wgsim 2>/dev/null)
[ -z "$status" ] || [ "$status" = not-installed ] || fail "wgsim is '$status' after dpkg -r"
left=$(find "$root" -mindepth 1 \( -path "$root/var" -prune \) -o -print)
[ -z "$left" ] || fail "left after dpkg -r: $left"
echo "deb package: all checks passed ($(basename "$deb"), $(wc -l <"$work/files") paths)"
