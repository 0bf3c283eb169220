/**
 * Kafka clients of a secured local stack (SASL_SSL, SCRAM-SHA-512, the stack's CA), a metadata
 * probe over them, and the creation of the stack's ACLs by the `admin` principal. The
 * launcher's own clients; the services' client configuration lives in platform/. I/O.
 */
import { setTimeout as delay } from 'node:timers/promises';
import kafkajs, { type AclEntry } from 'kafkajs';
import { createKafkaClient, type Kafka, probeKafka } from '../platform/kafka.js';
import type { KafkaClientSecurity } from '../platform/kafkaSecurity.js';
import type { AclBinding } from './aclPolicy.js';
import { stackAclBindings } from './aclPolicy.js';
import { type StackSecurity, securityFiles } from './certificates.js';
import { CLIENT_SASL_MECHANISM, CLIENT_SECURITY_PROTOCOL, type ScramPrincipal } from './scram.js';

// kafkajs is CommonJS; Node's ESM loader does not see all of its named exports.
const { AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;

/** How a client of a secured local stack logs in as `principal`: SCRAM-SHA-512 over TLS, trusting the stack's CA. */
export function asPrincipal(
  security: Pick<StackSecurity, 'caPem' | 'passwords'>,
  principal: ScramPrincipal,
): KafkaClientSecurity {
  return {
    ssl: { ca: [security.caPem], rejectUnauthorized: true },
    sasl: { mechanism: 'scram-sha-512', username: principal, password: security.passwords[principal] },
  };
}

/**
 * The configuration a process needs to connect to the secured stack as `principal` (the
 * variables platform/kafkaSecurity.ts reads; the password by file, never in the environment).
 */
export function principalEnv(securityDir: string, principal: ScramPrincipal): Readonly<Record<string, string>> {
  const files = securityFiles(securityDir);
  return {
    KAFKA_SECURITY_PROTOCOL: CLIENT_SECURITY_PROTOCOL,
    KAFKA_SASL_MECHANISM: CLIENT_SASL_MECHANISM,
    KAFKA_SASL_USERNAME: principal,
    KAFKA_SASL_PASSWORD_FILE: files.passwordFile(principal),
    KAFKA_SSL_CA_FILE: files.caFile,
  };
}

/** A client of the secured stack as `principal`, made by the project's one client factory. */
export function createSecureKafkaClient(options: {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly security: Pick<StackSecurity, 'caPem' | 'passwords'>;
  readonly principal: ScramPrincipal;
  readonly failFast?: boolean;
}): Kafka {
  return createKafkaClient({
    brokers: options.brokers,
    clientId: options.clientId,
    security: asPrincipal(options.security, options.principal),
    ...(options.failFast === true ? { failFast: true } : {}),
  });
}

/** The number of brokers the cluster describes, asked as `admin`; undefined when none answers in time. */
export async function probeSecureKafka(
  brokers: readonly string[],
  security: Pick<StackSecurity, 'caPem' | 'passwords'>,
  timeoutMs = 3000,
): Promise<number | undefined> {
  return (await probeKafka(brokers, timeoutMs, asPrincipal(security, 'admin')))?.brokers.length;
}

const RESOURCE = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
  cluster: AclResourceTypes.CLUSTER,
  'transactional-id': AclResourceTypes.TRANSACTIONAL_ID,
} as const;
const OPERATION = {
  read: AclOperationTypes.READ,
  write: AclOperationTypes.WRITE,
  create: AclOperationTypes.CREATE,
  describe: AclOperationTypes.DESCRIBE,
  'describe-configs': AclOperationTypes.DESCRIBE_CONFIGS,
  'alter-configs': AclOperationTypes.ALTER_CONFIGS,
  'idempotent-write': AclOperationTypes.IDEMPOTENT_WRITE,
} as const;

const toAclEntry = (binding: AclBinding): AclEntry => ({
  principal: binding.principal,
  host: '*',
  resourceType: RESOURCE[binding.resource],
  resourceName: binding.name,
  resourcePatternType: binding.pattern === 'prefixed' ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
  operation: OPERATION[binding.operation],
  permissionType: AclPermissionTypes.ALLOW,
});

/**
 * Creates the stack's ACLs for `namespace` (aclPolicy.ts) as `admin`. Creating an ACL that
 * exists changes nothing, so this runs at every start and for every namespace asked for.
 */
export async function applyStackAcls(options: {
  readonly brokers: readonly string[];
  readonly security: Pick<StackSecurity, 'caPem' | 'passwords'>;
  readonly namespace: string;
}): Promise<number> {
  const bindings = stackAclBindings(options.namespace);
  const admin = createSecureKafkaClient({
    brokers: options.brokers,
    clientId: 'cel-stack-acls',
    security: options.security,
    principal: 'admin',
  }).admin();
  await admin.connect();
  try {
    await admin.createAcls({ acl: bindings.map(toAclEntry) });
    // The brokers' authorizers learn new ACLs from the metadata log a moment after CreateAcls
    // answers: wait until a broker describes them all, so a client started next is let in.
    const deadline = Date.now() + ACL_PROPAGATION_MS;
    for (;;) {
      const described = await admin.describeAcls({
        resourceType: AclResourceTypes.ANY,
        resourcePatternType: ResourcePatternTypes.ANY,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      });
      const present = new Set(
        described.resources.flatMap((r) =>
          r.acls.map(
            (a) => `${a.principal}|${r.resourceType}|${r.resourceName}|${r.resourcePatternType}|${a.operation}`,
          ),
        ),
      );
      const missing = bindings
        .map(toAclEntry)
        .filter(
          (e) =>
            !present.has(`${e.principal}|${e.resourceType}|${e.resourceName}|${e.resourcePatternType}|${e.operation}`),
        );
      if (missing.length === 0) break;
      if (Date.now() > deadline)
        throw new Error(
          `${missing.length} of the stack's ACLs for ${options.namespace} are not in force after ${ACL_PROPAGATION_MS} ms`,
        );
      await delay(50);
    }
  } finally {
    await admin.disconnect();
  }
  return bindings.length;
}

/** How long new ACLs may take to reach the brokers' authorizers. */
const ACL_PROPAGATION_MS = 15_000;
