#!/usr/bin/env bash
# One-shot set-up of compose.yaml's Kafka, run in the apache/kafka image before the broker starts,
# as the secured local stack does it (local-stack/certificates.ts, brokerProperties.ts, scram.ts):
#
# - once: a CA, the broker's PKCS12 keystore (a certificate for kafka, localhost and 127.0.0.1
#   signed by that CA; the CA key is discarded), its random password, and the CA certificate in
#   PEM for the clients (/etc/kafka/ca/ca.pem), made with keytool;
# - every run: the broker's JAAS file (SCRAM for the client listeners, PLAIN for the controller,
#   as `broker`) and admin.properties (the `admin` client config for the health check and the ACLs),
#   from the Docker secrets;
# - once: the storage formatted with the SCRAM credentials of broker, admin, service and
#   schema-registry (`kafka-storage format --add-scram`; the image's own format adds none), from
#   the same KAFKA_* environment the broker renders its server.properties from.
#
# Runs as root (the CA volume is new and root's), and hands the broker's files to the image's
# user, appuser, at the end.
set -euo pipefail
umask 077

# The image's paths; the overrides let the script be tried outside the image.
SECRETS="${SETUP_SECRETS_DIR:-/etc/kafka/secrets}"
CA_DIR="${SETUP_CA_DIR:-/etc/kafka/ca}"
RUN_SECRETS="${SETUP_RUN_SECRETS_DIR:-/run/secrets}"
STORAGE_TOOL="${SETUP_STORAGE_TOOL:-/opt/kafka/bin/kafka-storage.sh}"
DATA="${KAFKA_LOG_DIRS:?KAFKA_LOG_DIRS is not set}"

fail() {
  echo "kafka-setup: $*" >&2
  exit 1
}

# A Docker secret: one line of letters and digits (openssl rand -hex 32), nothing to quote.
secret() {
  local file="$RUN_SECRETS/$1" value
  [[ -r "$file" ]] || fail "$file is missing or unreadable: create secrets/$1 (deploy/make-secrets.sh) with mode 0644"
  value=$(tr -d '\r\n' < "$file")
  [[ "$value" =~ ^[A-Za-z0-9]{16,}$ ]] || fail "secrets/$1: expected at least 16 letters or digits (openssl rand -hex 32)"
  printf '%s' "$value"
}

random_hex() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

make_certificates() {
  local work
  work=$(mktemp -d)
  random_hex > "$work/ca.password"
  random_hex > "$work/broker.keystore.password"
  keytool -genkeypair -alias ca -keyalg RSA -keysize 2048 -validity 3650 \
    -dname 'CN=clinical-event-log compose CA' -ext bc:c=ca:true -ext ku:c=keyCertSign,cRLSign \
    -keystore "$work/ca.p12" -storetype PKCS12 -storepass:file "$work/ca.password"
  keytool -exportcert -rfc -alias ca -keystore "$work/ca.p12" -storepass:file "$work/ca.password" -file "$work/ca.pem"
  keytool -genkeypair -alias broker -keyalg RSA -keysize 2048 -validity 825 -dname 'CN=kafka' \
    -keystore "$work/broker.keystore.p12" -storetype PKCS12 -storepass:file "$work/broker.keystore.password"
  keytool -certreq -alias broker -keystore "$work/broker.keystore.p12" \
    -storepass:file "$work/broker.keystore.password" -file "$work/broker.csr"
  keytool -gencert -rfc -alias ca -keystore "$work/ca.p12" -storepass:file "$work/ca.password" \
    -infile "$work/broker.csr" -outfile "$work/broker.pem" -validity 825 \
    -ext san=dns:kafka,dns:localhost,ip:127.0.0.1 -ext ku:c=digitalSignature,keyEncipherment \
    -ext eku=serverAuth,clientAuth
  keytool -importcert -noprompt -alias ca -file "$work/ca.pem" \
    -keystore "$work/broker.keystore.p12" -storepass:file "$work/broker.keystore.password"
  keytool -importcert -alias broker -file "$work/broker.pem" \
    -keystore "$work/broker.keystore.p12" -storepass:file "$work/broker.keystore.password"
  cp "$work/broker.keystore.p12" "$work/broker.keystore.password" "$SECRETS/"
  cp "$work/ca.pem" "$CA_DIR/ca.pem"
  chmod 0644 "$CA_DIR/ca.pem"
  chmod 0755 "$CA_DIR"
  rm -rf "$work" # the CA key signs nothing more
  date -u +%FT%TZ > "$SECRETS/.complete"
  echo "kafka-setup: made the CA and the broker's keystore"
}

[[ -f "$SECRETS/.complete" && -f "$CA_DIR/ca.pem" ]] || make_certificates

broker_password=$(secret kafka-broker-password)
admin_password=$(secret kafka-admin-password)
service_password=$(secret kafka-service-password)
registry_password=$(secret kafka-schema-registry-password)

cat > "$SECRETS/kafka_server_jaas.conf" <<JAAS
sasl_ssl.KafkaServer {
  org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="$broker_password";
};
host.KafkaServer {
  org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="$broker_password";
};
controller.KafkaServer {
  org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="$broker_password" user_broker="$broker_password";
};
JAAS

cat > "$SECRETS/admin.properties" <<PROPERTIES
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin_password";
ssl.truststore.type=PEM
ssl.truststore.location=$CA_DIR/ca.pem
PROPERTIES

hand_over() { if id appuser > /dev/null 2>&1; then chown -R appuser "$SECRETS" "$DATA"; fi; }

if [[ -f "$DATA/meta.properties" ]]; then
  hand_over
  echo "kafka-setup: storage already formatted (the SCRAM credentials are those it was formatted with)"
  exit 0
fi

# server.properties as the image renders it from KAFKA_* (KafkaDockerWrapper): KAFKA_ dropped,
# lower case, "_" to ".", "___" to "-", "__" to "_"; the JVM and logging variables are not properties.
properties=$(mktemp)
while IFS='=' read -r key value; do
  case "$key" in
  KAFKA_VERSION | KAFKA_HEAP_OPTS | KAFKA_LOG4J_OPTS | KAFKA_OPTS | KAFKA_JMX_OPTS | KAFKA_JVM_PERFORMANCE_OPTS | \
    KAFKA_GC_LOG_OPTS | KAFKA_LOG4J_ROOT_LOGLEVEL | KAFKA_LOG4J_LOGGERS | KAFKA_TOOLS_LOG4J_LOGLEVEL | KAFKA_JMX_HOSTNAME) ;;
  *)
    name=$(printf '%s' "${key#KAFKA_}" | tr 'A-Z_' 'a-z.' | sed -e 's/\.\.\./-/g' -e 's/\.\./_/g')
    printf '%s=%s\n' "$name" "$value" >> "$properties"
    ;;
  esac
done < <(env | grep -E '^KAFKA_[A-Z0-9_]+=')

args=()
for principal in broker admin service schema-registry; do
  case "$principal" in
  broker) password=$broker_password ;;
  admin) password=$admin_password ;;
  service) password=$service_password ;;
  schema-registry) password=$registry_password ;;
  esac
  for mechanism in SCRAM-SHA-512 SCRAM-SHA-256; do
    args+=(--add-scram "$mechanism=[name=$principal,password=$password]")
  done
done
"$STORAGE_TOOL" format --cluster-id "${CLUSTER_ID:?CLUSTER_ID is not set}" -c "$properties" "${args[@]}"
rm -f "$properties"
hand_over
echo "kafka-setup: storage formatted with the SCRAM users broker, admin, service, schema-registry"
