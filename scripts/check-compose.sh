#!/usr/bin/env bash
# Validates the deployment without a Docker engine: `docker-compose config` (Debian's docker-compose package)
# resolves and checks docker-compose.yml against the Compose schema, with the example config in place of
# deploy/arkgraph.config.json and empty files standing in for the secrets, in a temporary copy so the checkout is
# untouched. test/config/deploy.test.ts loads the example config itself with arkgraph's strict loader.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v docker-compose >/dev/null 2>&1; then
  echo "check-compose: docker-compose is not installed (apt-get install docker-compose)" >&2
  exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$root/docker-compose.yml" "$tmp/"
mkdir -p "$tmp/secrets" "$tmp/deploy"
cp "$root/deploy/arkgraph.config.example.json" "$tmp/deploy/arkgraph.config.json"
touch "$tmp/secrets/neo4j_auth" "$tmp/secrets/neo4j_password" "$tmp/secrets/cyberark_client_secret" \
  "$tmp/secrets/api_tokens.json"
cd "$tmp"
docker-compose -f docker-compose.yml config -q
echo "docker-compose.yml is valid"
