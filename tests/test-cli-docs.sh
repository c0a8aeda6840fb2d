#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The CLI's documentation keeps up with the program: every command `eldercard --help`
# lists, and every action `eldercard COMMAND --help` lists, has its entry in eldercard(1)
# (docs/man/eldercard.1, COMMANDS); and the bash completion (data/bash-completion/
# eldercard), sourced with bash-completion, completes commands, actions and options.
# Prints TAP.
set -u
: "${EC_BUILD_DIR:?}"
src=${EC_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
E="$EC_BUILD_DIR/eldercard"
comp="$src/data/bash-completion/eldercard"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
notok () { n=$((n + 1)); echo "not ok $n - $1"; }

echo "1..8"

# What --help lists, read independently of the completion script: the commands, and per
# command its "Actions:" list or the lower-case words of its usage line.
LC_ALL=C.UTF-8 LANGUAGE= "$E" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }' >"$tmp/commands"
: >"$tmp/actions"
while read -r c; do
  LC_ALL=C.UTF-8 LANGUAGE= "$E" "$c" --help 2>&1 | awk -v cmd="$c" '
    /^Actions:/ { on = 1; found = 1; next }
    on && /^  [a-z]/ { print cmd, $1; next }
    on { on = 0 }
    !found && !usage && $1 == cmd && $2 ~ /^\[OPTION/ {
      usage = 1; line = $0; sub(/ (—|-) .*$/, "", line); line = substr(line, index(line, "]") + 1)
      k = split(line, w, /[| ]+/)
      for (i = 1; i <= k; i++) if (w[i] ~ /^[a-z][a-z-]*$/) print cmd, w[i] }' >>"$tmp/actions"
done <"$tmp/commands"
nc=$(wc -l <"$tmp/commands"); na=$(wc -l <"$tmp/actions")
if [ "$nc" -ge 17 ] && grep -qx 'card import-dump' "$tmp/actions" && grep -qx 'sync audit-import' "$tmp/actions" \
   && grep -qx 'resident search' "$tmp/actions"; then
  ok "--help lists $nc commands and $na actions"
else notok "reading --help: $nc commands, $na actions"; sed 's/^/# /' "$tmp/commands" "$tmp/actions"; fi

# The man page's COMMANDS section, one entry per command: the tag line (indent 7) and
# everything up to the next one. No hyphenation, very long lines.
groff -man -Tutf8 -rHY=0 -rLL=400n -P -cbou "$src/docs/man/eldercard.1" 2>/dev/null \
  | awk '/^COMMANDS/ { on = 1; next } /^[A-Z]/ { on = 0 } on' >"$tmp/man"
entry () { awk -v c="$1" '/^       [^ ]/ { split($0, w, /[ \t]+/); inside = (w[2] == c) } inside' "$tmp/man"; }
missing=""
while read -r c; do
  [ -n "$(entry "$c")" ] || missing="$missing $c"
done <"$tmp/commands"
if [ -z "$missing" ]; then ok "eldercard(1) has an entry for each of the $nc commands"
else notok "eldercard(1) has no entry for:$missing"; fi
missing=""
while read -r c a; do
  entry "$c" | grep -qE "(^|[^a-z-])$a([^a-z-]|$)" || missing="$missing $c:$a"
done <"$tmp/actions"
if [ -z "$missing" ]; then ok "eldercard(1) names each of the $na actions in its command's entry"
else notok "eldercard(1) does not name:$missing"; fi

# --- bash completion, as bash-completion loads it ---------------------------------------
if [ ! -f /usr/share/bash-completion/bash_completion ]; then
  echo "Bail out! bash-completion is not installed (make deps installs it)"; exit 1
fi
# complete WORDS…: what completing the last word offers.
complete_words () {
  PATH="$EC_BUILD_DIR:$PATH" bash --norc --noprofile -c '
    source /usr/share/bash-completion/bash_completion
    source "$0"
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    _eldercard eldercard "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' "$comp" "$@" 2>&1
}
if PATH="$EC_BUILD_DIR:$PATH" bash --norc --noprofile -c 'source /usr/share/bash-completion/bash_completion; source "$0"; complete -p eldercard' "$comp" 2>&1 | grep -q -- '-F _eldercard eldercard$'; then
  ok "sourced after bash-completion, it registers _eldercard for eldercard"
else notok "complete -p eldercard"; fi
out=$(complete_words eldercard sy)
[ "$out" = "sync " ] && ok "eldercard sy<Tab> → sync" || notok "eldercard sy<Tab> gave: $out"
out=$(complete_words eldercard card i)
[ "$out" = "import-dump issue " ] && ok "eldercard card i<Tab> → import-dump issue" || notok "eldercard card i<Tab> gave: $out"
out=$(complete_words eldercard sync audit-)
[ "$out" = "audit-export audit-import " ] && ok "eldercard sync audit-<Tab> → audit-export audit-import" || notok "eldercard sync audit-<Tab> gave: $out"
out=$(complete_words eldercard card issue --dev)
[ "$out" = "--device " ] && ok "eldercard card issue --dev<Tab> → --device" || notok "eldercard card issue --dev<Tab> gave: $out"
