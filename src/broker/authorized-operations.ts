// The operations a principal may perform on a resource, as the 32-bit field Kafka's responses carry
// (bit n = AclOperation code n). Without an authorizer Kafka grants every operation the resource type
// supports (AuthHelper.authorizedOperations over AclEntry.supportedOperations), and so does kafka-ts.

/** Kafka's AclOperation codes. */
const AclOperation = {
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

const SUPPORTED = {
  topic: ['READ', 'WRITE', 'CREATE', 'DELETE', 'ALTER', 'DESCRIBE', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS'],
  group: ['READ', 'DESCRIBE', 'DELETE'],
  cluster: ['CREATE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE', 'ALTER', 'DESCRIBE'],
} as const satisfies Record<string, readonly (keyof typeof AclOperation)[]>

/** Every operation the resource type supports, as Kafka's bit field (topic: 3576). */
export function allAuthorizedOperations(resource: keyof typeof SUPPORTED): number {
  return SUPPORTED[resource].reduce((bits, op) => bits | (1 << AclOperation[op]), 0)
}
