#!/bin/sh
# transcript.sh: the package test's steps as an administrator types them, each
# command and what it printed (the closing note of issue 13 quotes it).  Root
# only, and only in a throwaway namespace: it installs packages and enables a
# program.  Run as: unshare -m with overlays of /usr /etc /var (see
# tests/integration/tap.sh, in_system_sandbox).
top=$(cd "$(dirname "$0")/../.." && pwd)
cd /tmp && sh "$top"/tests/pkg/build.sh /tmp/tp > /dev/null
make -s -C "$top" install PREFIX=/usr/local > /dev/null
t() { echo "# $*"; sh -c "$*" 2>&1 | sed 's/^/  /'; }
t dpkg -i /tmp/tp/resident-probe_1.deb "| grep -v triggers | tail -1"
t resident-probe
t resident enable resident-probe
t stat -c "'%i %A %s %n'" /usr/bin/resident-probe /usr/bin/resident-probe.resident-orig
t dpkg-divert --list '*resident-probe'
t RESIDENT_DEBUG=2 resident-probe
t dpkg -i /tmp/tp/resident-probe_2.deb "| grep -v triggers | tail -2"
t RESIDENT_DEBUG=2 resident-probe
t dpkg -V resident-probe "; echo exit \$?"
t resident doctor
t apt-get install -y --reinstall /tmp/tp/resident-probe_2.deb "| grep -E 'resident|Setting up'"
t RESIDENT_DEBUG=2 resident-probe
t dpkg -r resident-probe "| tail -1"
t "ls /usr/bin | grep resident-probe; dpkg-divert --list '*resident-probe'; resident ls --enabled"
t dpkg -i /tmp/tp/resident-probe_1.deb "| grep -v triggers | tail -1"
t RESIDENT_DEBUG=2 resident-probe
t resident enable resident-probe
t dpkg --purge resident-probe "| tail -1"
t "ls /usr/bin | grep resident-probe; dpkg-divert --list '*resident-probe'; resident ls --enabled"
