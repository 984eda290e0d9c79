#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine: `docker-compose config` (Debian's docker-compose package)
# resolves and checks the file against the Compose schema. Dummy values stand in for the required variables and
# secret files, in a temporary copy so the checkout is untouched.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v docker-compose >/dev/null 2>&1; then
  echo "check-compose: docker-compose is not installed (apt-get install docker-compose)" >&2
  exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$root/docker-compose.yml" "$tmp/"
mkdir -p "$tmp/secrets"
touch "$tmp/secrets/neo4j_password" "$tmp/secrets/cyberark_client_secret" "$tmp/secrets/api_tokens.json"
cd "$tmp"
NEO4J_PASSWORD=check ARKGRAPH_IDENTITY_URL=https://example.id.cyberark.cloud ARKGRAPH_CLIENT_ID=check \
  docker-compose -f docker-compose.yml config -q
echo "docker-compose.yml is valid"
