/**
 * Kafka clients of a secured local stack (SASL_SSL, SCRAM-SHA-512, the stack's CA), a metadata
 * probe over them, and the creation of the stack's ACLs by the `admin` principal. The
 * launcher's own clients; the services' client configuration lives in platform/. I/O.
 */
import kafkajs, { type AclEntry, type Kafka } from 'kafkajs';
import type { AclBinding } from './aclPolicy.js';
import { stackAclBindings } from './aclPolicy.js';
import type { StackSecurity } from './certificates.js';
import type { ScramPrincipal } from './scram.js';

// kafkajs is CommonJS; Node's ESM loader does not see all of its named exports.
const {
  Kafka: KafkaClient,
  logLevel,
  AclResourceTypes,
  AclOperationTypes,
  AclPermissionTypes,
  ResourcePatternTypes,
} = kafkajs;

export function createSecureKafkaClient(options: {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly security: Pick<StackSecurity, 'caPem' | 'passwords'>;
  readonly principal: ScramPrincipal;
  readonly failFast?: boolean;
}): Kafka {
  return new KafkaClient({
    clientId: options.clientId,
    brokers: [...options.brokers],
    ssl: { ca: [options.security.caPem] },
    sasl: {
      mechanism: 'scram-sha-512',
      username: options.principal,
      password: options.security.passwords[options.principal],
    },
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    logLevel: logLevel.NOTHING,
    ...(options.failFast === true ? { retry: { retries: 0 } } : {}),
  });
}

/** The number of brokers the cluster describes, asked as `admin`; undefined when none answers in time. */
export async function probeSecureKafka(
  brokers: readonly string[],
  security: Pick<StackSecurity, 'caPem' | 'passwords'>,
  timeoutMs = 3000,
): Promise<number | undefined> {
  for (const broker of brokers) {
    const admin = createSecureKafkaClient({
      brokers: [broker],
      clientId: 'cel-probe',
      security,
      principal: 'admin',
      failFast: true,
    }).admin();
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs).unref());
    const probe = (async () => {
      try {
        await admin.connect();
        return (await admin.describeCluster()).brokers.length;
      } catch {
        return undefined; // "no answer" is the result a probe reports
      }
    })();
    try {
      const answer = await Promise.race([probe, timeout]);
      if (answer !== undefined) return answer;
    } finally {
      void admin.disconnect().catch(() => undefined);
    }
  }
  return undefined;
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
  } finally {
    await admin.disconnect();
  }
  return bindings.length;
}
