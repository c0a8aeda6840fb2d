#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Lint eldercard's udev rules (bookworm's systemd 252 has no `udevadm verify`).
#
#   udev/check.sh READERS_TSV RULES_FILE…
#   udev/check.sh --modprobe CONF_FILE
#
# Prints one line per problem, "FILE:LINE: message", and exits 1 if there is any.
# Rules files: every line is KEY OP "VALUE"[, KEY OP "VALUE"…] with a known key, an
# operator that suits it, a double-quoted value; GOTO targets exist; each device line has
# ATTR(S){idVendor} and ATTR(S){idProduct} of 4 lowercase hex digits, listed in READERS_TSV
# for this very file; no device twice; devices sorted by vendor:product; every device
# READERS_TSV assigns to the file is present; USB lines match SUBSYSTEM=="usb" and
# ENV{DEVTYPE}=="usb_device" and grant TAG+="uaccess" (plus GROUP "eldercard", MODE "0660"
# when they set a group); files that tag uaccess sort before 73-seat-late.rules.
# The modprobe file: only "blacklist MODULE" lines, and nfc, pn533, pn533_usb among them.
set -u

if [ "${1:-}" = "--modprobe" ]; then
  [ $# -eq 2 ] || { echo "usage: $0 --modprobe CONF_FILE" >&2; exit 2; }
  exec awk '
    /^[ \t]*(#|$)/ { next }
    {
      if (NF != 2 || $1 != "blacklist" || $2 !~ /^[a-z0-9_]+$/) {
        printf "%s:%d: expected \"blacklist MODULE\", got \"%s\"\n", FILENAME, FNR, $0; bad = 1; next
      }
      if (seen[$2]++) { printf "%s:%d: module %s listed twice\n", FILENAME, FNR, $2; bad = 1 }
    }
    END {
      n = split("nfc pn533 pn533_usb", need, " ")
      for (i = 1; i <= n; i++)
        if (!(need[i] in seen)) { printf "%s: module %s is not blacklisted\n", FILENAME, need[i]; bad = 1 }
      exit bad
    }' "$2"
fi

[ $# -ge 2 ] || { echo "usage: $0 READERS_TSV RULES_FILE…" >&2; exit 2; }
readers=$1
shift
status=0

# The table itself: 5 tab-separated fields, well-formed unique ids, sorted within a file.
awk -F'\t' '
  /^#/ || /^$/ { next }
  {
    if (NF != 5) { printf "%s:%d: expected 5 tab-separated fields, got %d\n", FILENAME, FNR, NF; bad = 1; next }
    if ($1 !~ /^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f][0-9a-f][0-9a-f]$/) {
      printf "%s:%d: id \"%s\" is not vvvv:pppp in lowercase hex\n", FILENAME, FNR, $1; bad = 1
    }
    if ($1 in seen) { printf "%s:%d: id %s listed twice\n", FILENAME, FNR, $1; bad = 1 }
    seen[$1] = 1
    if (($4 in last) && $1 < last[$4]) {
      printf "%s:%d: id %s out of order (after %s) for %s\n", FILENAME, FNR, $1, last[$4], $4; bad = 1
    }
    last[$4] = $1
    if ($3 !~ /^(acr122_usb|pn53x_usb|pn532_uart)$/) {
      printf "%s:%d: unknown libnfc driver \"%s\"\n", FILENAME, FNR, $3; bad = 1
    }
  }
  END { exit bad }' "$readers" || status=1

for rules in "$@"; do
  base=$(basename "$rules")
  awk -v base="$base" -v readers="$readers" '
    function err(msg) { printf "%s:%d: %s\n", FILENAME, FNR, msg; bad = 1 }
    BEGIN {
      FS = "\t"
      while ((getline line < readers) > 0) {
        if (line ~ /^#/ || line == "") continue
        split(line, f, "\t")
        if (f[4] == base) { want[f[1]] = f[2]; nwant++ }
        known[f[1]] = f[4]
      }
      close(readers)
      # Keys udev(7) knows; which operators each takes.
      split("ACTION DEVPATH KERNEL KERNELS SUBSYSTEM SUBSYSTEMS DRIVER DRIVERS TAGS PROGRAM RESULT", m, " ")
      for (i in m) matchonly[m[i]] = 1
      split("ATTRS TEST CONST", m, " ")
      for (i in m) { matchonly[m[i]] = 1; needsarg[m[i]] = 1 }
      split("OWNER GROUP MODE LABEL GOTO RUN IMPORT OPTIONS SECLABEL", m, " ")
      for (i in m) assignonly[m[i]] = 1
      split("NAME SYMLINK TAG", m, " ")
      for (i in m) both[m[i]] = 1
      split("ATTR ENV SYSCTL", m, " ")
      for (i in m) { both[m[i]] = 1; needsarg[m[i]] = 1 }
      needsarg["SECLABEL"] = 1; needsarg["IMPORT"] = 1
      optarg["RUN"] = 1; optarg["IMPORT"] = 1
      FS = "\n"
    }
    /^[ \t]*#/ || /^[ \t]*$/ { next }
    /\\$/ { err("line continuation is not allowed here (keep one rule per line)"); next }
    {
      rest = $0; n = 0
      delete kv; vid = ""; pid = ""; uaccess = 0; group = ""; mode = ""; subsys = ""; devtype = ""; serialmatch = 0
      while (rest != "") {
        if (!match(rest, /^[ \t]*[A-Z_]+(\{[^}"]*\})?[ \t]*(==|!=|\+=|-=|:=|=)[ \t]*/)) {
          err("cannot parse \"" rest "\" (expected KEY OP \"VALUE\")"); next
        }
        tok = substr(rest, RSTART, RLENGTH); rest = substr(rest, RSTART + RLENGTH)
        gsub(/[ \t]/, "", tok)
        match(tok, /(==|!=|\+=|-=|:=|=)$/); op = substr(tok, RSTART); key = substr(tok, 1, RSTART - 1)
        name = key; arg = ""
        if (index(key, "{")) { name = substr(key, 1, index(key, "{") - 1); arg = substr(key, index(key, "{") + 1); sub(/\}$/, "", arg) }
        if (!match(rest, /^"[^"]*"/)) { err("value of " key " is not in double quotes"); next }
        val = substr(rest, 2, RLENGTH - 2); rest = substr(rest, RLENGTH + 1)
        if (!(name in matchonly) && !(name in assignonly) && !(name in both)) err("unknown key " name)
        ismatch = (op == "==" || op == "!=")
        if ((name in matchonly) && !ismatch) err(key " takes == or !=, not " op)
        if ((name in assignonly) && ismatch) err(key " is an assignment, not a match (" op ")")
        if ((name in needsarg) && arg == "") err(key " needs {argument}")
        if (!(name in needsarg) && !(name in optarg) && arg != "") err(name " takes no {argument}")
        if (name == "GOTO") gotos[val] = FNR
        if (name == "LABEL") labels[val] = FNR
        if ((name == "ATTR" || name == "ATTRS") && arg == "idVendor" && ismatch) vid = val
        if ((name == "ATTR" || name == "ATTRS") && arg == "idProduct" && ismatch) pid = val
        if (name == "TAG" && op == "+=" && val == "uaccess") { uaccess = 1; anyuaccess = 1 }
        if (name == "ATTRS" && arg == "serial" && op == "==" && val != "") serialmatch = 1
        if (name == "GROUP") group = val
        if (name == "MODE") { mode = val; if (val !~ /^0[0-7][0-7][0-7]$/) err("MODE \"" val "\" is not 4 octal digits") }
        if (name == "SUBSYSTEM" && op == "==") subsys = val
        if (name == "ENV" && arg == "DEVTYPE" && op == "==") devtype = val
        n++
        if (rest ~ /^[ \t]*$/) break
        if (!match(rest, /^[ \t]*,[ \t]*/)) { err("expected \",\" after " key "=\"" val "\""); next }
        rest = substr(rest, RLENGTH + 1)
        if (rest == "") err("trailing comma")
      }
      if (vid == "" && pid == "") next
      if (vid == "" || pid == "") { err("idVendor and idProduct must come together"); next }
      if (vid !~ /^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]$/) err("idVendor \"" vid "\" is not 4 lowercase hex digits")
      if (pid !~ /^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]$/) err("idProduct \"" pid "\" is not 4 lowercase hex digits")
      id = vid ":" pid
      if (!(id in known)) err("device " id " is not in " readers)
      else if (!(id in want)) err("device " id " belongs to " known[id] " in " readers ", not to " base)
      if (id in have) err("device " id " listed twice (first on line " have[id] ")")
      have[id] = FNR
      if (lastid != "" && id < lastid) err("device " id " out of order: after " lastid " (sort by vendor:product)")
      lastid = id
      if (!uaccess) err("device " id " does not get TAG+=\"uaccess\"")
      # A generic USB-serial bridge (the serial rules file) gets uaccess for one adapter
      # only: every CH340/CP210x/FTDI/PL2303 cable on the machine would match its ids.
      if (base ~ /serial/ && uaccess && !serialmatch)
        err("device " id ": a generic USB-serial bridge gets uaccess only for one adapter: add ATTRS{serial}==\"…\"")
      if (subsys == "usb" && devtype != "usb_device") err("device " id ": USB rule without ENV{DEVTYPE}==\"usb_device\"")
      if (subsys == "") err("device " id ": no SUBSYSTEM== match")
      if (group != "" && group != "eldercard") err("device " id ": group \"" group "\", expected \"eldercard\"")
      if (group != "" && mode != "0660") err("device " id ": group access needs MODE=\"0660\", got \"" mode "\"")
    }
    END {
      for (g in gotos) if (!(g in labels)) { printf "%s:%d: GOTO \"%s\" has no LABEL\n", FILENAME, gotos[g], g; bad = 1 }
      for (id in want) if (!(id in have)) { printf "%s: device %s (%s) from %s is missing\n", FILENAME, id, want[id], readers; bad = 1 }
      if (nwant == 0) { printf "%s: %s lists no device for this file\n", FILENAME, readers; bad = 1 }
      if (anyuaccess && !(base < "73-seat-late.rules")) {
        printf "%s: TAG+=\"uaccess\" only works in files sorting before 73-seat-late.rules\n", FILENAME; bad = 1
      }
      exit bad
    }' "$rules" || status=1
done

exit $status
