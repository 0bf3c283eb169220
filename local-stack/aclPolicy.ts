/**
 * The ACLs of a secured local stack, least privilege per principal. Pure: `stackAcls.ts`
 * creates them on the cluster.
 *
 * - `service` (the project's services): create, describe, read, write and configure the topics
 *   under `<ns>.`, use the consumer groups and transactional ids under `<ns>.`, describe the
 *   cluster and write idempotently.
 * - `subscriber` (a downstream reader): read `<ns>.clinical-events`, with groups under `subscriber.`.
 * - `broker` and `admin` are super users (server.properties); every other principal may do nothing.
 */

export type AclResource = 'topic' | 'group' | 'cluster' | 'transactional-id';
export type AclOperation =
  | 'read'
  | 'write'
  | 'create'
  | 'describe'
  | 'describe-configs'
  | 'alter-configs'
  | 'idempotent-write';

export type AclBinding = {
  readonly principal: string;
  readonly resource: AclResource;
  readonly name: string;
  readonly pattern: 'literal' | 'prefixed';
  readonly operation: AclOperation;
};

export const SUBSCRIBER_GROUP_PREFIX = 'subscriber.';

const grant = (
  principal: string,
  resource: AclResource,
  name: string,
  pattern: AclBinding['pattern'],
  operations: readonly AclOperation[],
): AclBinding[] => operations.map((operation) => ({ principal, resource, name, pattern, operation }));

export function stackAclBindings(namespace: string): readonly AclBinding[] {
  const prefix = `${namespace}.`;
  return [
    ...grant('User:service', 'topic', prefix, 'prefixed', [
      'create',
      'describe',
      'read',
      'write',
      'describe-configs',
      'alter-configs',
    ]),
    ...grant('User:service', 'group', prefix, 'prefixed', ['read', 'describe']),
    ...grant('User:service', 'transactional-id', prefix, 'prefixed', ['write', 'describe']),
    ...grant('User:service', 'cluster', 'kafka-cluster', 'literal', ['describe', 'idempotent-write']),
    ...grant('User:subscriber', 'topic', `${prefix}clinical-events`, 'literal', ['read', 'describe']),
    ...grant('User:subscriber', 'group', SUBSCRIBER_GROUP_PREFIX, 'prefixed', ['read', 'describe']),
  ];
}
