import { setTimeout as delay } from 'node:timers/promises'

import type { KafkaError } from '../../broker/kafka-error.js'

/** How often a coordinator answering CONCURRENT_TRANSACTIONS (it is completing an earlier transaction) is asked again. */
const CONCURRENT_ATTEMPTS = 100
const CONCURRENT_BACKOFF_MS = 20

/** Calls the coordinator until it stops answering CONCURRENT_TRANSACTIONS (an earlier transaction completing). */
export async function untilSettled<T extends { readonly error?: KafkaError | undefined }>(call: () => T): Promise<T> {
  let result = call()
  for (let attempt = 1; attempt < CONCURRENT_ATTEMPTS && result.error?.errorName === 'CONCURRENT_TRANSACTIONS'; attempt++) {
    await delay(CONCURRENT_BACKOFF_MS)
    result = call()
  }
  return result
}
