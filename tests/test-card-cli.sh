#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# eldercard card verify on every checked-in vector in cards/vectors/ (output compared with
# its .expected file, exit status 0 for a genuine card, 1 for a refused one), then the
# key workflow a deployer follows: community create, station add, kiosk-bundle export,
# card encode, card verify, with the refusals a user would meet.
set -u
: "${EC_BUILD_DIR:?}" "${EC_SOURCE_DIR:?}"
EC="$EC_BUILD_DIR/tests/eldercard-test"   # test build: cheap Argon2id (tests/eldercard-test-cli.c)
export LC_ALL=C.UTF-8
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vectors="$EC_SOURCE_DIR/cards/vectors"

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
nok () { n=$((n + 1)); echo "not ok $n - $1"; }
check () { if eval "$2"; then ok "$1"; else nok "$1"; fi; }

tags=("$vectors"/*.tag)
echo "1..$(( ${#tags[@]} + 27 ))"

# git does not keep file modes: use a copy of the TEST ONLY keys with the secret files
# 0600, as the refusal of group-readable key files requires.
cp -r "$vectors/keys" "$work/vkeys"
chmod 600 "$work"/vkeys/community/*.key "$work"/vkeys/stations/*.key

reasons=""
for tag in "${tags[@]}"; do
  name=$(basename "$tag" .tag)
  out=$("$EC" card verify --keys "$work/vkeys" "$tag" 2>&1); rc=$?
  case "$name" in
    refused-*) want_rc=1 ;;
    *) want_rc=0 ;;
  esac
  if [ "$out" = "$(cat "$vectors/$name.expected")" ] && [ $rc -eq $want_rc ]; then
    ok "vector $name prints its .expected (exit $rc)"
  else
    nok "vector $name prints its .expected (exit $rc, wanted $want_rc)"
    diff <(echo "$out") "$vectors/$name.expected" | sed 's/^/# /'
  fi
  reasons="$reasons $name"
done
for r in not-ours truncated damaged unknown-version unknown-key bad-signature uid-mismatch expired \
         not-yet-valid bad-sequence; do
  [[ "$reasons" == *"refused-$r"* ]] || nok "a vector for refusal reason $r exists"
done
check "vectors exist for no-read-key and cannot-decrypt" \
  '[[ "$reasons" == *summary-no-read-key* ]] && [[ "$reasons" == *summary-cannot-decrypt* ]]'

out=$("$EC" card verify --keys "$vectors/keys" "$vectors/valid-ntag215.tag" 2>&1); rc=$?
if [ "$(stat -c %a "$vectors/keys/community/read.key")" != 600 ]; then
  check "a group-readable read key is refused with the chmod to run" \
    '[ $rc -eq 1 ] && [[ "$out" == *"chmod 600"* ]]'
else
  tmpk="$work/k644"; cp -r "$work/vkeys" "$tmpk"; chmod 644 "$tmpk/community/read.key"
  out=$("$EC" card verify --keys "$tmpk" "$vectors/valid-ntag215.tag" 2>&1); rc=$?
  check "a group-readable read key is refused with the chmod to run" \
    '[ $rc -eq 1 ] && [[ "$out" == *"chmod 600 $tmpk/community/read.key"* ]]'
fi

# ---- the deployer's workflow ----
cd "$work" || exit 1
printf 'root passphrase for the test\n' > root.pass
printf 'station passphrase for the test\n' > station.pass
printf 'not the passphrase\n' > wrong.pass

out=$("$EC" community create --keys keys --passphrase-file root.pass 2>&1); rc=$?
check "community create makes root.key, root.pub and read.key" \
  '[ $rc -eq 0 ] && [ -f keys/community/root.key ] && [ -f keys/community/root.pub ] && [ -f keys/community/read.key ]'
check "… secret key files are 0600" \
  '[ "$(stat -c %a keys/community/root.key)" = 600 ] && [ "$(stat -c %a keys/community/read.key)" = 600 ]'
out=$("$EC" community create --keys keys --passphrase-file root.pass 2>&1); rc=$?
check "community create refuses to overwrite a community" '[ $rc -eq 1 ] && [[ "$out" == *"already"* ]]'

out=$("$EC" station add --keys keys --id 12 --name 幸福里社区服务站 --root-passphrase-file wrong.pass --passphrase-file station.pass 2>&1); rc=$?
check "station add with a wrong root passphrase is refused" '[ $rc -eq 1 ] && [[ "$out" == *"wrong passphrase"* ]] && [ ! -e keys/stations/12.key ]'
out=$("$EC" station add --keys keys --id 12 --name 幸福里社区服务站 --root-passphrase-file root.pass --passphrase-file station.pass 2>&1); rc=$?
check "station add writes the encrypted key and its certificate" \
  '[ $rc -eq 0 ] && [ "$(stat -c %a keys/stations/12.key)" = 600 ] && [ -f keys/stations/12.cert ]'
out=$("$EC" station add --keys keys --id 12 --name x --root-passphrase-file root.pass --passphrase-file station.pass 2>&1); rc=$?
check "station add refuses an existing station id" '[ $rc -eq 1 ]'
out=$("$EC" station add --keys keys --name x 2>&1); rc=$?
check "station add without --id is a usage error" '[ $rc -eq 2 ]'

out=$("$EC" kiosk-bundle export --keys keys --out bundle 2>&1); rc=$?
check "kiosk-bundle export copies root.pub, certificates and the read key" \
  '[ $rc -eq 0 ] && [ -f bundle/community/root.pub ] && [ -f bundle/stations/12.cert ] && [ -f bundle/community/read.key ]'
check "… and never a secret signing key" '[ ! -e bundle/community/root.key ] && [ -z "$(find bundle -name "[0-9]*.key")" ]'
out=$("$EC" kiosk-bundle export --keys keys --out bundle-noread --no-read-key 2>&1); rc=$?
check "kiosk-bundle export --no-read-key leaves the read key out" '[ $rc -eq 0 ] && [ ! -e bundle-noread/community/read.key ]'

out=$("$EC" card encode --keys keys --passphrase-file wrong.pass --type ntag215 --uid 04a1b2c3d4e5f6 --station 12 --out c.tag --name 王秀英 2>&1); rc=$?
check "card encode with a wrong station passphrase is refused" '[ $rc -eq 1 ] && [[ "$out" == *"wrong passphrase"* ]] && [ ! -e c.tag ]'

cat > summary.json <<'EOF'
{ "name": "赵建国", "name_latin": "Zhao Jianguo", "birth_year": 1938, "sex": "male",
  "blood_type": "O-", "allergy_status": "recorded",
  "allergies": [ { "substance": "青霉素", "criticality": "high" } ],
  "conditions": [ "心房颤动" ], "medications": [ "华法林 2.5 mg 晚" ],
  "contact": { "name": "赵敏", "relation": "儿子", "phone": "+8613900000000" },
  "dnr": "full", "wandering": "none", "record_version": 4 }
EOF
out=$("$EC" card encode --keys keys --passphrase-file station.pass --type ntag216 --uid 04a1b2c3d4e5f6 \
      --station 12 --resident-id 00000000000000aa --seq 3 --expires 2099-12-31 --summary summary.json --out c.tag 2>&1); rc=$?
check "card encode writes a tag image from a JSON summary" '[ $rc -eq 0 ] && grep -q "^type: ntag216" c.tag && grep -q "^e6: " c.tag'
out=$("$EC" card verify --keys bundle c.tag 2>&1); rc=$?
check "card verify with the kiosk bundle shows the summary" \
  '[ $rc -eq 0 ] && [[ "$out" == *"name: 赵建国"* ]] && [[ "$out" == *"allergy: 青霉素 [high]"* ]] && [[ "$out" == *"card-seq: 3"* ]] && [[ "$out" == *"resident: 00000000000000aa"* ]]'
out=$("$EC" card verify --keys bundle-noread c.tag 2>&1); rc=$?
check "without the read key: genuine, summary unavailable (no-read-key)" \
  '[ $rc -eq 0 ] && [[ "$out" == *"summary: unavailable (no-read-key)"* ]] && [[ "$out" != *"赵建国"* ]]'
out=$("$EC" card verify --keys bundle --now 2100-01-01 c.tag 2>&1); rc=$?
check "after its expiry date the card is refused as expired" '[ $rc -eq 1 ] && [[ "$out" == "eldercard: card refused: expired"* ]]'
memhex=$(sed -n 's/^[0-9a-f][0-9a-f]: //p' c.tag | tr -d ' \n')
namehex=$(printf '赵建国' | od -An -tx1 | tr -d ' \n')
latinhex=$(printf 'Zhao' | od -An -tx1 | tr -d ' \n')
check "nothing readable about the person is stored in clear" \
  '[ -n "$memhex" ] && [[ "$memhex" != *"$namehex"* ]] && [[ "$memhex" != *"$latinhex"* ]]'

sed 's/^04: 03 /04: 02 /' c.tag > d.tag
out=$("$EC" card verify --keys bundle d.tag 2>&1); rc=$?
check "an edited tag image is refused with one reason" '[ $rc -eq 1 ] && [[ "$out" == "eldercard: card refused: not an eldercard card"* ]]'
head -c 200 c.tag > e.tag
out=$("$EC" card verify --keys bundle e.tag 2>&1); rc=$?
check "a cut-off image file is refused as malformed" '[ $rc -eq 1 ] && [[ "$out" == *"tag image"* ]]'

out=$("$EC" card encode --keys keys --passphrase-file station.pass --type ntag213 --uid 04a1b2c3d4e5f6 --station 12 --reference-only --out r.tag 2>&1); rc=$?
out2=$("$EC" card verify --keys bundle r.tag 2>&1); rc2=$?
check "an NTAG213 reference-only card encodes and verifies" '[ $rc -eq 0 ] && [ $rc2 -eq 0 ] && [[ "$out2" == *"summary: none on this card"* ]]'
out=$("$EC" card encode --keys keys --passphrase-file station.pass --type ntag215 --uid 05a1b2c3d4e5f6 --station 12 --out x.tag 2>&1); rc=$?
check "a UID that is not NXP is a usage error" '[ $rc -eq 2 ]'

out=$("$EC" community rotate-read-key --keys keys 2>&1); rc=$?
"$EC" kiosk-bundle export --keys keys --out bundle2 >/dev/null 2>&1
out2=$("$EC" card verify --keys bundle2 c.tag 2>&1); rc2=$?
check "after rotating the read key, old cards stay readable" \
  '[ $rc -eq 0 ] && [ $rc2 -eq 0 ] && [[ "$out2" == *"name: 赵建国"* ]] && ls keys/community/read-*.key >/dev/null'

# Hostile files: refused at once, never read without a limit or waited on.
out=$(timeout 10 "$EC" card verify --keys bundle /dev/zero 2>&1); rc=$?
check "card verify /dev/zero is refused at once (not a regular file)" '[ $rc -eq 1 ] && [[ "$out" == *"not a regular file"* ]]'
mkfifo fifo.json
out=$(timeout 10 "$EC" card encode --keys keys --passphrase-file station.pass --type ntag215 --uid 04a1b2c3d4e5f7 --station 12 --summary fifo.json --out f.tag 2>&1); rc=$?
check "a FIFO as the summary JSON is refused at once" '[ $rc -eq 1 ] && [[ "$out" == *"not a regular file"* ]]'
mv keys/stations/12.key keys/stations/12.key.real && mkfifo -m 600 keys/stations/12.key
out=$(timeout 10 "$EC" card encode --keys keys --passphrase-file station.pass --type ntag215 --uid 04a1b2c3d4e5f7 --station 12 --out f.tag 2>&1); rc=$?
check "a station key replaced by a FIFO is refused at once (card encode does not hang)" '[ $rc -eq 1 ] && [[ "$out" == *"not a regular file"* ]]'
rm -f keys/stations/12.key && mv keys/stations/12.key.real keys/stations/12.key

# Every card expires: without --expires, 5 years (1826 days) after it was issued.
out=$("$EC" card encode --keys keys --passphrase-file station.pass --type ntag215 --uid 04a1b2c3d4e5f8 --station 12 --out d5.tag 2>&1)
out=$("$EC" card verify --keys bundle d5.tag 2>&1)
want=$(date -u -d "@$(( ( $(date -u +%s) / 86400 + 1826 ) * 86400 ))" +%F)
check "a card encoded without --expires expires 5 years after issue ($want)" '[[ "$out" == *"expires: $want"* ]]'
