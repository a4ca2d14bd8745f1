# The Debian package (issue 23): `cpack -G DEB` in the build directory (or
# `cmake --build build --target package`) makes wgsim_<version>_<arch>.deb
# from the same install rules as `cmake --install`, under /usr:
# /usr/bin/wgsim, /usr/libexec/wgsim/ns3_udp_echo, the manual pages, the docs,
# /usr/share/wgsim/scenarios and the bash completion. Tested by deb_package
# (tests/deb_package.sh), which installs it into a throwaway dpkg root.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME wgsim)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "wgsim maintainers <maintainers@users.noreply.r-seed-33eeaa85.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "deterministic simulator of WireGuard on pfSense-like HA firewalls")
# Debian's long description (CPack puts the summary above it as the first
# line and indents the rest; "." is an empty line).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "wgsim runs a complete WireGuard implementation on virtual pfSense-like
firewalls, ISP routers and hosts, wired into multi-WAN and CARP
high-availability topologies. It replays YAML scenarios (CARP VIP failover,
maintenance mode, outbound NAT, gateway loss) and asserts which source
address every WireGuard packet leaves with and how the remote peer reacts.
.
The same scenario and seed give the same bytes on the wire, so a scenario is
a regression test to run in CI before touching a production firewall.
Example scenarios are in /usr/share/wgsim/scenarios.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: dpkg-shlibdeps (Debian package dpkg-dev, in scripts/bootstrap)
# reads the libraries wgsim and ns3_udp_echo are linked with and names the
# packages and versions they come from on the building machine.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Captures come with a WireGuard key log that tshark/Wireshark decrypt;
# `wgsim peer` talks to a real wg(8)/wireguard-go.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "tshark | wireshark")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "wireguard-tools")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Debian ships stripped programs (debug information belongs in a -dbgsym
# package): dist/deb/debianize.cmake strips them as dh_strip does.
set(CPACK_WGSIM_STRIP ${CMAKE_STRIP})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# (a CPACK_ name: only those reach the CPack run and its scripts)
set(CPACK_WGSIM_DEB_DIR ${CMAKE_CURRENT_LIST_DIR}/deb)
set(CPACK_PRE_BUILD_SCRIPTS ${CPACK_WGSIM_DEB_DIR}/debianize.cmake)
include(CPack)
