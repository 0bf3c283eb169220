/**
 * How the command-line tools find the stack: KAFKA_BROKERS and SCHEMA_REGISTRY_URL when set,
 * else the local stack that `npm run stack -- up` started in LOCAL_STACK_DIR. Starts nothing.
 * I/O (reads the local stack's files).
 */

import { loadStackSecurity } from '../local-stack/certificates.js';
import { bootstrapOf, readClusterLayout } from '../local-stack/kafkaCluster.js';
import { serviceRegistryUrl } from '../local-stack/registryProcess.js';
import { asPrincipal } from '../local-stack/secureKafkaClient.js';
import { clusterDirFor } from '../local-stack/stack.js';
import type { Config } from '../platform/config.js';
import { type KafkaClientSecurity, loadKafkaSecurity } from '../platform/kafkaSecurity.js';
import { loadRegistryCredentials, withUserInfo } from '../platform/registryCredentials.js';

export type StackLocation = {
  readonly brokers: readonly string[];
  readonly registryUrl: URL;
  /** How to log in: the secured local stack's service principal, else the configured Kafka security. */
  readonly security: KafkaClientSecurity;
};

export async function locateStack(config: Config): Promise<StackLocation> {
  let brokers: readonly string[];
  let security: KafkaClientSecurity | undefined;
  if (config.kafkaBrokers === 'local-stack') {
    const layout = await readClusterLayout(clusterDirFor(config));
    if (layout === undefined)
      throw new Error('no local stack here; start it with npm run stack -- up, or set KAFKA_BROKERS');
    brokers = bootstrapOf(layout).split(',');
    if (layout.security !== undefined) security = asPrincipal(await loadStackSecurity(layout.security.dir), 'service');
  } else {
    brokers = config.kafkaBrokers;
  }
  const registryUrl =
    config.schemaRegistry === 'embedded'
      ? (await serviceRegistryUrl(config.localStack.dir))?.toString()
      : withUserInfo(config.schemaRegistry, await loadRegistryCredentials(config.schemaRegistryCredentials)).toString();
  if (registryUrl === undefined)
    throw new Error('no embedded registry is running; start the stack, or set SCHEMA_REGISTRY_URL');
  return {
    brokers,
    registryUrl: new URL(registryUrl),
    security: security ?? (await loadKafkaSecurity(config.kafkaSecurity)),
  };
}
