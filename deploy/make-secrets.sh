#!/usr/bin/env sh
# Creates the Docker secrets compose.yaml reads (secrets/README.md): one random password per file,
# 64 hex digits from openssl. A file that exists is kept. The directory is 0700 (only you, on this
# machine); the files 0644, because the containers read them as their own non-root users.
set -eu
cd "$(dirname "$0")/../secrets"
chmod 0700 .
for name in postgres-password kafka-broker-password kafka-admin-password kafka-service-password \
  kafka-schema-registry-password; do
  if [ ! -s "$name" ]; then
    openssl rand -hex 32 > "$name"
    echo "secrets/$name: created"
  fi
  chmod 0644 "$name"
done
