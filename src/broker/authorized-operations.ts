// Authorized operations as Kafka reports them (KIP-430): an int32 bit field with bit n set for AclOperation
// code n. kafka-ts has no authorizer, and a Kafka broker without one reports every operation the resource
// type supports (AuthHelper.authorizedOperations, AclEntry.supportedOperations of Kafka 4.3).

/** AclOperation codes. */
const ACL_OPERATION = {
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
} as const

type AclOperation = keyof typeof ACL_OPERATION

/** The resource types kafka-ts describes, with the operations Kafka 4.3 supports on each. */
const SUPPORTED: Readonly<Record<'topic' | 'group' | 'cluster', readonly AclOperation[]>> = {
  topic: ['READ', 'WRITE', 'CREATE', 'DESCRIBE', 'DELETE', 'ALTER', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS'],
  // DESCRIBE_CONFIGS and ALTER_CONFIGS came with group configs (Kafka 4.0, KIP-848).
  group: ['READ', 'DESCRIBE', 'DELETE', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS'],
  cluster: ['CREATE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE', 'ALTER', 'DESCRIBE'],
}

export type AuthorizedResourceType = keyof typeof SUPPORTED

/** The schemas' default: "not asked for" (Integer.MIN_VALUE). */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648

const BITS = Object.fromEntries(
  Object.entries(SUPPORTED).map(([type, ops]) => [type, ops.reduce((bits, op) => bits | (1 << ACL_OPERATION[op]), 0)]),
) as Readonly<Record<AuthorizedResourceType, number>>

/** The bit field a broker without an authorizer answers for a resource of `type`: every supported operation. */
export function authorizedOperations(type: AuthorizedResourceType): number {
  return BITS[type]
}
