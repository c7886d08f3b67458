// Expected texts are Kafka's, from apache/kafka clients/src/main/java/org/apache/kafka/common/internals/Topic.java
// (detectInvalidTopic, unifyCollisionChars) and tools TopicCommand (the collision WARNING line, cli.md §1.2).
import { describe, expect, it } from 'vitest'

import {
  COLLISION_WARNING,
  INTERNAL_TOPICS,
  MAX_TOPIC_NAME_LENGTH,
  collisionKey,
  collisionMessage,
  hasCollisionChars,
  invalidTopicNameMessage,
  isInternalTopic,
  topicNameProblem,
} from '../../../src/broker/topic-names.js'

describe('topicNameProblem', () => {
  it('rejects the empty string', () => {
    expect(topicNameProblem('')).toBe('the empty string is not allowed')
  })

  it("rejects '.' and '..' but not longer runs of dots", () => {
    expect(topicNameProblem('.')).toBe("'.' is not allowed")
    expect(topicNameProblem('..')).toBe("'..' is not allowed")
    expect(topicNameProblem('...')).toBeUndefined()
  })

  it('accepts exactly 249 characters and rejects 250', () => {
    expect(MAX_TOPIC_NAME_LENGTH).toBe(249)
    expect(topicNameProblem('a'.repeat(249))).toBeUndefined()
    const long = 'a'.repeat(250)
    expect(topicNameProblem(long)).toBe(`the length of '${long}' is longer than the max allowed length 249`)
  })

  it('checks the length before the characters', () => {
    const long = 'é'.repeat(250)
    expect(topicNameProblem(long)).toMatch(/is longer than the max allowed length 249$/)
  })

  it.each(['orders', 'Orders-2024', 'a.b_c-D9', '_', '-', '__consumer_offsets'])('accepts %j', (name) => {
    expect(topicNameProblem(name)).toBeUndefined()
  })

  it.each(['has space', 'slash/name', 'colon:name', 'tab\tname', 'café', 'emoji🙂', 'ａ', 'plus+', 'star*'])(
    'rejects illegal characters in %j',
    (name) => {
      expect(topicNameProblem(name)).toBe(
        `'${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`,
      )
    },
  )

  it('builds the full InvalidTopicException message', () => {
    expect(invalidTopicNameMessage('..')).toBe("Topic name is invalid: '..' is not allowed")
    expect(invalidTopicNameMessage('')).toBe('Topic name is invalid: the empty string is not allowed')
    expect(invalidTopicNameMessage('ok')).toBeUndefined()
  })
})

describe('internal topics', () => {
  it('holds the three internal topics and not the KRaft metadata log', () => {
    expect([...INTERNAL_TOPICS].sort()).toEqual(['__consumer_offsets', '__share_group_state', '__transaction_state'])
    expect(isInternalTopic('__consumer_offsets')).toBe(true)
    expect(isInternalTopic('__cluster_metadata')).toBe(false)
  })
})

describe('collisions', () => {
  it("detects '.' or '_'", () => {
    expect(hasCollisionChars('a.b')).toBe(true)
    expect(hasCollisionChars('a_b')).toBe(true)
    expect(hasCollisionChars('a-b')).toBe(false)
  })

  it("folds '.' into '_' so names that differ only there share a key", () => {
    expect(collisionKey('metrics.cpu_load')).toBe('metrics_cpu_load')
    expect(collisionKey('metrics_cpu.load')).toBe(collisionKey('metrics.cpu_load'))
    expect(collisionKey('metrics-cpu')).not.toBe(collisionKey('metrics_cpu'))
  })

  it('words the warning and the collision error as Kafka does', () => {
    expect(COLLISION_WARNING).toBe(
      "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.",
    )
    expect(collisionMessage('a.b', 'a_b')).toBe("Topic 'a.b' collides with existing topic: a_b")
  })
})
