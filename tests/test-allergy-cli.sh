#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# eldercard allergy-check, as a script or a nurse at a terminal uses it: a resident from
# a real database (read with purpose nurse-check, the check appended to the audit log),
# the verdicts and their exit codes (0 none, 3 caution, 4 stop, 5 unknown drug, 1
# error, 2 usage), --json, --allergies-file, the decision-support sentence, and the
# table found through ELDERCARD_DATADIR. Prints TAP.
set -u
: "${EC_BUILD_DIR:?}"
src=${EC_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
E="$EC_BUILD_DIR/eldercard"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ELDERCARD_DB="$tmp/ec.db"
unset ELDERCARD_DATADIR
export LC_ALL=C.UTF-8

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
notok () { n=$((n + 1)); echo "not ok $n - $1"; }
# expect RC PATTERN DESC CMD…: exit status RC and output matching PATTERN.
expect () {
  local want=$1 pat=$2 desc=$3; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -ne "$want" ]; then
    notok "$desc (exit $rc, want $want)"; printf '%s\n' "$out" | sed 's/^/# /'
  elif ! grep -qE -- "$pat" <<<"$out"; then
    notok "$desc (output)"; printf '%s\n' "$out" | sed 's/^/# /'
  else
    ok "$desc"
  fi
}

# The setup is part of the test: when it fails, say so and fail (never a silent skip;
# tests/run-tests.sh counts a bail-out as a failure).
bail () { echo "Bail out! $1"; sed 's/^/# /' "$tmp/setup.log"; exit 1; }
"$E" db init >"$tmp/setup.log" 2>&1 || bail "eldercard db init failed"
pid=$("$E" resident add --name 王测试 --pinyin "Wang Ceshi" \
        --allergy "青霉素|medication|high|过敏性休克|severe|confirmed" \
        --medication "阿司匹林肠溶片|100 mg|口服" 2>>"$tmp/setup.log" | head -n1)
uid=$("$E" resident add --name 李测试 --allergy-status unknown 2>>"$tmp/setup.log" | head -n1)
nid=$("$E" resident add --name 张测试 --allergy-status none-known 2>>"$tmp/setup.log" | head -n1)
if [ -z "$pid" ] || [ -z "$uid" ] || [ -z "$nid" ]; then
  bail "eldercard resident add did not print the three resident ids"
fi

expect 4 'STOP: do not give' "penicillin allergy + 阿莫西林: stop, exit 4" \
  "$E" allergy-check --lang en "$pid" 阿莫西林
expect 4 'past reaction: 过敏性休克' "the matched allergy is shown with its reaction" \
  "$E" allergy-check --lang en "$pid" "ＡＭＯＸＩＣＩＬＬＩＮ 0.5g"
expect 4 '青霉素皮试' "the penicillin skin-test note is printed" \
  "$E" allergy-check --lang zh "$pid" 青霉素钠
expect 4 '抗菌药物临床应用指导原则' "with its source" \
  "$E" allergy-check --lang zh "$pid" 青霉素钠
expect 4 '以护士判断和处方为准。' "the decision-support sentence (zh)" \
  "$E" allergy-check --lang zh "$pid" 阿莫西林
expect 4 "The nurse's judgement and the prescription decide\." "the decision-support sentence (en)" \
  "$E" allergy-check --lang en "$pid" 阿莫西林
expect 4 'cross-reactive' "penicillin anaphylaxis + ceftriaxone: stop by cross-reactivity" \
  "$E" allergy-check --lang en "$pid" 罗氏芬
expect 3 'duplicate of a current medication' "aspirin taker + ibuprofen: caution, exit 3" \
  "$E" allergy-check --lang en "$pid" 布洛芬
expect 0 'No recorded conflict' "azithromycin: no recorded conflict, exit 0" \
  "$E" allergy-check --lang en "$pid" 阿奇霉素
expect 5 'not in the table: check manually' "an unknown drug: exit 5, never a pass" \
  "$E" allergy-check --lang en "$pid" 莲花清瘟
expect 4 'fits several products' "an ambiguous name: each candidate checked, the worst (stop) wins" \
  "$E" allergy-check --lang en "$pid" 阿莫
expect 3 'fits several products' "an ambiguous product name is never a pass, even with none known" \
  "$E" allergy-check --lang en "$nid" 带状疱疹疫苗
expect 3 'allergy history unknown' "allergies unknown: caution, never no conflict" \
  "$E" allergy-check --lang en "$uid" 阿奇霉素
expect 0 'No recorded conflict' "none known: no recorded conflict" \
  "$E" allergy-check --lang en "$nid" 阿莫西林
expect 4 'STOP' "the resident found by name" \
  "$E" allergy-check --lang en 王测试 阿莫西林

# Audit: each check is a nurse-check view plus an allergy-check entry with its verdict.
audit=$("$E" audit list 2>&1)
if grep -q 'allergy-check .*verdict=stop drug=amoxicillin' <<<"$audit" \
   && grep -q 'view .*purpose=nurse-check' <<<"$audit"; then
  ok "the check and its verdict are in the audit log"
else
  notok "the check and its verdict are in the audit log"; printf '%s\n' "$audit" | tail -5 | sed 's/^/# /'
fi
expect 4 'STOP' "--actor nurse:N007" "$E" allergy-check --actor nurse:N007 "$pid" 阿莫西林
if "$E" audit list 2>&1 | grep -q 'N007 .*allergy-check'; then ok "the nurse is named in the audit log"
else notok "the nurse is named in the audit log"; fi

# JSON for scripts.
json=$("$E" allergy-check --json "$pid" 阿莫西林 2>&1); rc=$?
if [ "$rc" -eq 4 ] && python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["verdict"]=="stop" and d["findings"][0]["kind"]=="same-class" and d["drug"]["id"]=="amoxicillin"' <<<"$json" 2>/dev/null; then
  ok "--json gives the verdict and findings"
else
  notok "--json gives the verdict and findings"; printf '%s\n' "$json" | head -20 | sed 's/^/# /'
fi

# Without a database: allergies from JSON (the shape `resident show --json` prints).
"$E" resident show "$pid" --json --reason test >"$tmp/resident.json" 2>/dev/null
expect 4 'STOP' "--allergies-file with resident show --json output" \
  "$E" allergy-check --lang en --allergies-file "$tmp/resident.json" 阿莫西林
printf '{"allergy_status":"recorded","allergies":[{"substance":"鸡蛋","category":"food","criticality":"low"}]}' >"$tmp/egg.json"
expect 3 'contains the allergen' "egg allergy + influenza vaccine: caution" \
  "$E" allergy-check --lang en --allergies-file "$tmp/egg.json" 流感疫苗
# Issue 19: β-lactams as a group, lists in one entry, a severe gelatin allergy and the
# ambiguous zoster vaccine name, an allergy the table cannot read.
printf '{"allergy_status":"recorded","allergies":[{"substance":"β-内酰胺类","criticality":"high","severity":"severe","confirmed":true}]}' >"$tmp/bl.json"
for d in 阿莫西林 青霉素G 头孢曲松 美罗培南 氨曲南; do
  expect 4 'beta-lactams as a group' "β-lactam allergy + $d: stop" \
    "$E" allergy-check --lang en --allergies-file "$tmp/bl.json" "$d"
done
printf '{"allergy_status":"recorded","allergies":[{"substance":"青霉素，磺胺类药物","criticality":"high"}]}' >"$tmp/list.json"
expect 4 'The part "磺胺类药物"' "a list in one entry: the sulfonamide part stops co-trimoxazole" \
  "$E" allergy-check --lang en --allergies-file "$tmp/list.json" 复方新诺明
printf '{"allergy_status":"recorded","allergies":[{"substance":"明胶","criticality":"high","severity":"severe"}]}' >"$tmp/gel.json"
expect 4 'zoster vaccine live: STOP' "gelatin allergy + 带状疱疹疫苗: the live candidate stops" \
  "$E" allergy-check --lang en --allergies-file "$tmp/gel.json" 带状疱疹疫苗
json=$("$E" allergy-check --json --allergies-file "$tmp/gel.json" 带状疱疹疫苗 2>&1)
if python3 -c 'import json,sys; d=json.load(sys.stdin); c={x["id"]:x["verdict"] for x in d["candidate_checks"]}; assert d["verdict"]=="stop" and c=={"zoster-vaccine-live":"stop","zoster-vaccine-recombinant":"no-recorded-conflict"}' <<<"$json" 2>/dev/null; then
  ok "--json lists each candidate's verdict"
else
  notok "--json lists each candidate's verdict"; printf '%s\n' "$json" | head -20 | sed 's/^/# /'
fi
printf '{"allergy_status":"recorded","allergies":[{"substance":"内酰胺","criticality":"low"}]}' >"$tmp/part.json"
expect 3 'not recognised — check' "a fragment of a name is not recognised: caution" \
  "$E" allergy-check --lang en --allergies-file "$tmp/part.json" 阿莫西林
printf '{"allergies":[{"substance":1}]}' >"$tmp/bad.json"
expect 1 'must be a string' "a malformed allergies file is refused" \
  "$E" allergy-check --allergies-file "$tmp/bad.json" 阿莫西林

# Errors and usage.
expect 1 'No resident|nobody matches' "an unknown resident is an error" \
  "$E" allergy-check 0000000000000001 阿莫西林
expect 2 'Usage|用法' "a missing drug is a usage error" "$E" allergy-check "$pid"
expect 2 'zh or en' "--lang must be zh or en" "$E" allergy-check --lang fr "$pid" 阿莫西林

# The table from ELDERCARD_DATADIR; a broken table is an error, not a verdict.
mkdir -p "$tmp/data"
printf 'format\teldercard-drugs\t1\nclass\tc\t-\t-\t-\t类\tclass\t-\ndrug\tx\tc\t某药\tsome drug\t-\n' >"$tmp/data/drugs.tsv"
expect 5 'not in the table' "ELDERCARD_DATADIR picks the table" \
  env ELDERCARD_DATADIR="$tmp/data" "$E" allergy-check --lang en "$nid" 阿莫西林
printf 'format\teldercard-drugs\t1\ndrug\tx\tnope\t某药\tsome drug\t-\n' >"$tmp/data/drugs.tsv"
expect 1 'line 2: class .nope. is not defined' "a broken table names the line" \
  env ELDERCARD_DATADIR="$tmp/data" "$E" allergy-check "$nid" 阿莫西林

echo "1..$n"
