#!/usr/bin/env bash
# One-shot: the ACLs of compose.yaml's Kafka, created as `admin` once the broker answers. The
# `service` principal's are local-stack/aclPolicy.ts's for TOPIC_NAMESPACE (topics, groups and
# transactional ids prefixed "<ns>.", cluster describe and idempotent write); `schema-registry`
# may use its `_schemas` topic and its `schema-registry` groups. Nobody else may do anything
# (allow.everyone.if.no.acl.found=false); broker and admin are super users. Adding an ACL that
# exists changes nothing, so this runs on every `docker compose up`.
set -euo pipefail

NS="${TOPIC_NAMESPACE:?TOPIC_NAMESPACE is not set}"
# The image's paths; the overrides let the script be tried outside the image.
ACL_TOOL="${SETUP_ACL_TOOL:-/opt/kafka/bin/kafka-acls.sh}"
ADMIN_CONFIG="${SETUP_ADMIN_CONFIG:-/etc/kafka/secrets/admin.properties}"
[[ "$NS" =~ ^[a-zA-Z0-9_-]{1,100}$ ]] || { echo "kafka-acls: TOPIC_NAMESPACE \"$NS\": expected 1–100 letters, digits, _ or -" >&2; exit 1; }

acl() {
  "$ACL_TOOL" --bootstrap-server "${KAFKA_BOOTSTRAP:?KAFKA_BOOTSTRAP is not set}" \
    --command-config "$ADMIN_CONFIG" --add "$@" > /dev/null
}

acl --allow-principal User:service --topic "$NS." --resource-pattern-type prefixed \
  --operation Create --operation Describe --operation Read --operation Write \
  --operation DescribeConfigs --operation AlterConfigs
acl --allow-principal User:service --group "$NS." --resource-pattern-type prefixed \
  --operation Read --operation Describe
acl --allow-principal User:service --transactional-id "$NS." --resource-pattern-type prefixed \
  --operation Write --operation Describe
acl --allow-principal User:service --cluster --operation Describe --operation IdempotentWrite

acl --allow-principal User:schema-registry --topic _schemas \
  --operation Create --operation Describe --operation Read --operation Write --operation DescribeConfigs
acl --allow-principal User:schema-registry --group schema-registry --resource-pattern-type prefixed \
  --operation Read --operation Describe
acl --allow-principal User:schema-registry --cluster --operation Describe

echo "kafka-acls: ACLs in place for User:service on $NS.* and User:schema-registry on _schemas"
