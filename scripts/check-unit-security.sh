#!/usr/bin/env bash
# Fails when `systemd-analyze security` rates systemd/rakelgw.service above 2.0 (issue 9 item 7).
# Offline: it reads the unit file and needs no running systemd. Without systemd-analyze it says so and
# exits 0 (CI installs systemd, so there it always runs).
set -euo pipefail
cd "$(dirname "$0")/.."
unit="${1:-systemd/rakelgw.service}"
max="${RAKELGW_MAX_EXPOSURE:-2.0}"
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "check-unit-security: systemd-analyze not installed; not checked"
  exit 0
fi
out="$(systemd-analyze security --offline=true "$unit" 2>&1)" || true
score="$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')"
[ -n "$score" ] || { printf '%s\n' "$out"; echo "check-unit-security: no score in the output" >&2; exit 1; }
if awk -v s="$score" -v m="$max" 'BEGIN { exit !(s <= m) }'; then
  echo "check-unit-security: $unit exposure $score <= $max"
else
  printf '%s\n' "$out" | grep '✗' || true
  echo "check-unit-security: $unit exposure $score is above $max" >&2
  exit 1
fi
