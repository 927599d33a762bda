#!/usr/bin/env bash
# Installs rakel-edge-gateway as a systemd service on Debian 12, from a built checkout:
#
#   npm ci && npm run build && sudo systemd/install.sh
#
# What it does, in order (every step is safe to repeat; an edited configuration or udev rule is kept):
#   1. checks Node.js >= 20 and systemd;
#   2. copies the built program to $PREFIX (default /opt/rakelgw) and drops the development packages;
#   3. creates the system user `rakelgw` (member of dialout) with systemd-sysusers;
#   4. installs the unit, the udev rules, an example site file (/etc/rakelgw/site.json) and a secrets folder;
#   5. checks the site file with `rakelgw config check`, verifies the unit with `systemd-analyze verify`;
#   6. reloads udev and systemd, enables and starts the service, and waits until it reports READY.
#
# --root DIR lays everything out under DIR instead of / and stops after step 5 (CI runs it that way,
# without containers); --no-start stops after step 5 on a real machine; --site FILE installs that site
# file instead of the example (only when /etc/rakelgw/site.json does not exist yet).
set -euo pipefail

ROOT=""
PREFIX=/opt/rakelgw
START=1
SITE=""
SRC="$(cd "$(dirname "$0")/.." && pwd)"

while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="$(mkdir -p "$2" && cd "$2" && pwd)"; START=0; shift 2 ;;
    --prefix) PREFIX="$2"; shift 2 ;;
    --no-start) START=0; shift ;;
    --site) SITE="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

say() { printf '== %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

# 1. Prerequisites.
NODE="$(command -v node || true)"
[ -n "$NODE" ] || die "Node.js >= 20 is needed (Debian 12 ships 18: install nodejs 20 from NodeSource's Debian repository or nodejs.org, then run this again)"
major="$("$NODE" -p 'process.versions.node.split(".")[0]')"
[ "$major" -ge 20 ] || die "Node.js $("$NODE" -v) is too old; 20 or newer is needed"
command -v systemd-analyze >/dev/null || die "systemd-analyze not found (apt-get install systemd)"
[ -f "$SRC/dist/src/main.js" ] || die "no build in $SRC: run 'npm ci && npm run build' first"
if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then die "run as root (sudo), or lay out under a directory with --root DIR"; fi
if [ -n "$SITE" ]; then
  # A site file given on the command line is checked before anything is copied.
  "$NODE" "$SRC/dist/src/main.js" config check "$SITE" || die "fix $SITE (each line above is path: reason), then run this again"
fi

# 2. The program.
DEST="$ROOT$PREFIX"
say "program -> $DEST"
mkdir -p "$DEST"
rm -rf "$DEST/dist" "$DEST/adapters" "$DEST/firmware-config.new"
cp -a "$SRC/package.json" "$SRC/package-lock.json" "$SRC/README.md" "$DEST/"
cp -a "$SRC/dist" "$DEST/dist"
mkdir -p "$DEST/adapters/http" && cp -a "$SRC/adapters/http/static" "$DEST/adapters/http/static"
rm -rf "$DEST/firmware-config" "$DEST/systemd" && cp -a "$SRC/firmware-config" "$SRC/systemd" "$DEST/"
# Production packages only; install scripts stay off (serialport loads its bundled prebuilt binary).
rm -rf "$DEST/node_modules" && cp -a "$SRC/node_modules" "$DEST/node_modules"
(cd "$DEST" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null)
chmod -R go-w "$DEST"

# 3. The service user: a system account in group dialout (serial devices), no login, home = state dir.
say "user rakelgw (systemd-sysusers)"
mkdir -p "$ROOT/usr/lib/sysusers.d"
cat > "$ROOT/usr/lib/sysusers.d/rakelgw.conf" <<'CONF'
# rakel-edge-gateway service account (systemd/install.sh)
u rakelgw - "Rakel edge gateway" /var/lib/rakelgw /usr/sbin/nologin
m rakelgw dialout
CONF
if [ -n "$ROOT" ]; then mkdir -p "$ROOT/etc"; systemd-sysusers --root="$ROOT" "$ROOT/usr/lib/sysusers.d/rakelgw.conf"; else systemd-sysusers /usr/lib/sysusers.d/rakelgw.conf; fi

# 4. Unit, udev rules, configuration.
say "unit, udev rules, /etc/rakelgw"
mkdir -p "$ROOT/etc/systemd/system" "$ROOT/etc/udev/rules.d" "$ROOT/etc/rakelgw/secrets"
sed -e "s#/usr/bin/node#$NODE#" -e "s#/opt/rakelgw#$PREFIX#g" "$SRC/systemd/rakelgw.service" > "$ROOT/etc/systemd/system/rakelgw.service"
chmod 0644 "$ROOT/etc/systemd/system/rakelgw.service"
RULES="$ROOT/etc/udev/rules.d/60-rakel-terminals.rules"
[ -f "$RULES" ] || install -m 0644 "$SRC/systemd/60-rakel-terminals.rules" "$RULES"
SITE_FILE="$ROOT/etc/rakelgw/site.json"
if [ ! -f "$SITE_FILE" ]; then
  install -m 0640 "${SITE:-$SRC/firmware-config/sites/municipality.json}" "$SITE_FILE"
  # The example's schema reference points into the installed program.
  sed -i "s#\"\\.\\./schema/#\"$PREFIX/firmware-config/schema/#" "$SITE_FILE"
fi
# The broker's accounts (`rakelgw users add NAME`) and an ACL: operators read everything and may start a
# test alert or a talk-group check (also from the status page); everyone else reads only.
[ -f "$ROOT/etc/rakelgw/users" ] || install -m 0640 /dev/null "$ROOT/etc/rakelgw/users"
if [ ! -f "$ROOT/etc/rakelgw/acl" ]; then
  base="$("$NODE" -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).mqtt?.baseTopic ?? "rakelgw/site"' "$SITE_FILE")"
  cat > "$ROOT/etc/rakelgw/acl" <<ACL
# rakelgw broker ACL (mosquitto acl_file format; README "MQTT"). Add a "user NAME" block per account.
pattern read $base/#
# user operator-1
# topic write $base/bridge/request/alert/send
# topic write $base/bridge/request/talkgroups/check
ACL
  chmod 0640 "$ROOT/etc/rakelgw/acl"
fi
chmod 0750 "$ROOT/etc/rakelgw" "$ROOT/etc/rakelgw/secrets"
if [ -z "$ROOT" ]; then chgrp -R rakelgw "$ROOT/etc/rakelgw"; fi

# 5. Checks.
say "config check"
"$NODE" "$DEST/dist/src/main.js" config check "$SITE_FILE" || die "fix $SITE_FILE (each line above is path: reason), then run this again"
say "systemd-analyze verify"
# Under a layout root the unit file is read from there; its ExecStart (this machine's node) exists here.
# verify exits 0 on warnings (an unknown key is only "ignoring"); any output counts as a failure here.
verify_out="$(systemd-analyze verify "$ROOT/etc/systemd/system/rakelgw.service" 2>&1)" || { printf '%s\n' "$verify_out"; die "systemd-analyze verify failed"; }
[ -z "$verify_out" ] || { printf '%s\n' "$verify_out"; die "systemd-analyze verify reported problems"; }

if [ "$START" -eq 0 ]; then
  say "laid out under ${ROOT:-/}; not started"
  exit 0
fi

# 6. Start.
say "udev reload, enable and start"
udevadm control --reload && udevadm trigger --subsystem-match=tty || true
systemctl daemon-reload
systemctl enable rakelgw.service
systemctl restart rakelgw.service
for _ in $(seq 60); do
  state="$(systemctl show -p ActiveState --value rakelgw.service)"
  [ "$state" = active ] && break
  [ "$state" = failed ] && { journalctl -u rakelgw -n 30 --no-pager; die "the service failed to start (journalctl -u rakelgw)"; }
  sleep 1
done
systemctl --no-pager status rakelgw.service | head -n 5
say "done: status page on http://$(sed -n 's/.*"listen": *"\([^"]*\)".*/\1/p' "$SITE_FILE" | head -n 1 || echo 127.0.0.1:8088)/ (README: Status page)"
