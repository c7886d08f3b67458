/**
 * ListTransactions (66), v0–v2.
 * Behaviour: every transactional id (Dead ones excluded), filtered by state names, producer ids, v1+
 * DurationFilter (open longer than that many ms) and v2+ TransactionalIdPattern (a Java regular expression
 * that must match the whole id). Filter names that are no state are listed in UnknownStateFilters.
 * A pattern kafka-ts cannot compile → INVALID_REQUEST.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeListTransactionsRequest,
  encodeListTransactionsResponse,
  type ListTransactionsRequest,
  type ListTransactionsResponseInput,
} from '../../protocol/messages/list-transactions.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { defineHandler } from '../handler.js'

export const listTransactionsHandler = defineHandler<ListTransactionsRequest, ListTransactionsResponseInput>({
  apiKey: ApiKey.ListTransactions,
  name: 'ListTransactions',
  minVersion: 0,
  maxVersion: 2,
  decode: decodeListTransactionsRequest,
  encode: encodeListTransactionsResponse,
  handle(req, ctx) {
    const listed = ctx.broker.transactions.list({
      states: req.stateFilters,
      producerIds: req.producerIdFilters,
      durationMs: req.durationFilter,
      transactionalIdPattern: req.transactionalIdPattern,
    })
    if (listed instanceof KafkaError) return { throttleTimeMs: 0, errorCode: listed.code, unknownStateFilters: [], transactionStates: [] }
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      unknownStateFilters: listed.unknownStates,
      transactionStates: listed.transactions.map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: t.state })),
    }
  },
})
