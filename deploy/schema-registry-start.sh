#!/usr/bin/env bash
# Starts the Confluent Schema Registry image with its Kafka login (`schema-registry`, SCRAM-SHA-512)
# read from the Docker secret, so the password is in no compose file and no image layer.
set -euo pipefail
file=/run/secrets/kafka-schema-registry-password
[[ -r "$file" ]] || { echo "schema-registry: $file is missing or unreadable: create secrets/kafka-schema-registry-password" >&2; exit 1; }
password=$(tr -d '\r\n' < "$file")
export SCHEMA_REGISTRY_KAFKASTORE_SASL_JAAS_CONFIG="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"schema-registry\" password=\"$password\";"
exec /etc/confluent/docker/run
