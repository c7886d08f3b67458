// Topic-name rules as Kafka 3.9 applies them (clients/.../common/internals/Topic.java): legal characters,
// the 249-character limit, the reserved names '.' and '..', internal topics, and the '.' vs '_' collision
// that exists because both characters map to '_' in metric names.

export const MAX_TOPIC_NAME_LENGTH = 249

/** Topics the broker owns; `kafka-topics --exclude-internal` hides them and Metadata flags them is_internal. */
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set([
  '__consumer_offsets',
  '__transaction_state',
  '__share_group_state',
])

/** The exact line kafka-topics prints before `Created topic <name>.` when the name holds '.' or '_'. */
export const COLLISION_WARNING =
  "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. " +
  'To avoid issues it is best to use either, but not both.'

/**
 * Why `name` is not a legal topic name, worded as Kafka words it (Topic.detectInvalidTopic), or undefined
 * when it is legal. Length counts UTF-16 code units, as Java's String.length() does.
 */
export function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the empty string is not allowed'
  if (name === '.') return "'.' is not allowed"
  if (name === '..') return "'..' is not allowed"
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `the length of '${name}' is longer than the max allowed length ${MAX_TOPIC_NAME_LENGTH}`
  }
  if (!hasOnlyLegalChars(name)) {
    return `'${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`
  }
  return undefined
}

/** The full InvalidTopicException text (`Topic name is invalid: <reason>`), or undefined when legal. */
export function invalidTopicNameMessage(name: string): string | undefined {
  const problem = topicNameProblem(name)
  return problem === undefined ? undefined : `Topic name is invalid: ${problem}`
}

export function isInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name)
}

/** True when the name contains '.' or '_' (kafka-topics then prints COLLISION_WARNING). */
export function hasCollisionChars(name: string): boolean {
  return name.includes('.') || name.includes('_')
}

/** Names with equal keys collide: Kafka folds '.' into '_' (Topic.unifyCollisionChars). */
export function collisionKey(name: string): string {
  return name.replaceAll('.', '_')
}

/** CreateTopics' message when `name` folds onto an existing topic's name. */
export function collisionMessage(name: string, existing: string): string {
  return `Topic '${name}' collides with existing topic: ${existing}`
}

function hasOnlyLegalChars(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    const legal =
      (c >= 0x61 && c <= 0x7a) || // a-z
      (c >= 0x41 && c <= 0x5a) || // A-Z
      (c >= 0x30 && c <= 0x39) || // 0-9
      c === 0x2e || // .
      c === 0x5f || // _
      c === 0x2d // -
    if (!legal) return false
  }
  return true
}

/** Topic.validate's InvalidTopicException text for an illegal name (what DescribeConfigs and kafka-configs report), or undefined. */
export function topicValidateMessage(name: string): string | undefined {
  if (topicNameProblem(name) === undefined) return undefined
  if (name.length === 0) return "Topic name is illegal, it can't be empty"
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."'
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, Topic name: ${name}`
  }
  return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`
}
