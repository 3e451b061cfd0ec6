#!/usr/bin/env bash
# Screenshot a whole rendered page with headless Chromium (a tall window, cropped to the content by crop_shot.py);
# fail if loading the page requested anything over the network.
# Usage: tools/screenshot.sh _docs/simulate.html out.png   (needs Debian's chromium: apt-get install -y chromium)
set -euo pipefail
page=$(realpath "$1"); out=$(realpath -m "$2")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --host-resolver-rules="MAP * ~NOTFOUND" --log-net-log="$tmp/net.json" \
  --user-data-dir="$tmp/profile" --window-size=1280,16000 --hide-scrollbars \
  --virtual-time-budget=5000 --screenshot="$out" "file://$page" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }
# The page's own requests carry the network isolation key file://; Chromium's update and account checks do not.
remote=$(python3 -c '
import json, sys
log = json.load(open(sys.argv[1]))
start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
print("\n".join(sorted({e["params"]["url"] for e in log["events"] if e["type"] == start
    and e["params"].get("network_isolation_key", "").startswith("file://")
    and not e["params"]["url"].startswith(("file:", "data:"))})))' "$tmp/net.json")
if [ -n "$remote" ]; then echo "network requests from $1:" >&2; echo "$remote" >&2; exit 1; fi
"${PYTHON:-.venv/bin/python}" "$(dirname "$0")/crop_shot.py" "$out"
echo "$out"
