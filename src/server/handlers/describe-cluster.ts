/**
 * DescribeCluster (60), v0–v2 (flexible from v0).
 * Behaviour: cluster id from meta.properties, controller = this node (a broker answers a live broker id),
 * one broker: this node at the advertised host/port of the listener the request came in on, rack null.
 * v1 endpoint_type: 1 (brokers) is answered; 2 (controllers) → MISMATCHED_ENDPOINT_TYPE (114), as a Kafka
 * broker answers it; anything else → UNSUPPORTED_ENDPOINT_TYPE (115); both with Kafka 4.3's messages.
 * include_cluster_authorized_operations → every cluster operation, as a broker without an authorizer
 * answers. v2 include_fenced_brokers / is_fenced: this node is never fenced.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeDescribeClusterRequest,
  encodeDescribeClusterResponse,
  type DescribeClusterRequest,
  type DescribeClusterResponseInput,
} from '../../protocol/messages/describe-cluster.js'
import { AUTHORIZED_OPERATIONS_OMITTED, authorizedOperations } from '../../broker/authorized-operations.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { defineHandler } from '../handler.js'

/** EndpointType ids and their names in Kafka's messages. */
const ENDPOINT_TYPES: Readonly<Record<number, string>> = { 1: 'BROKER', 2: 'CONTROLLER' }
const ENDPOINT_BROKERS = 1
const MISMATCHED_ENDPOINT_TYPE = new KafkaError('MISMATCHED_ENDPOINT_TYPE').code
const UNSUPPORTED_ENDPOINT_TYPE = new KafkaError('UNSUPPORTED_ENDPOINT_TYPE').code

export const describeClusterHandler = defineHandler<DescribeClusterRequest, DescribeClusterResponseInput>({
  apiKey: ApiKey.DescribeCluster,
  name: 'DescribeCluster',
  minVersion: 0,
  maxVersion: 2,
  decode: decodeDescribeClusterRequest,
  encode: encodeDescribeClusterResponse,
  handle(req, ctx) {
    const { broker } = ctx
    const asked = ENDPOINT_TYPES[req.endpointType]
    if (asked === undefined) {
      return { throttleTimeMs: 0, errorCode: UNSUPPORTED_ENDPOINT_TYPE, errorMessage: `Unsupported endpoint type ${req.endpointType}`, clusterId: '', brokers: [] }
    }
    if (req.endpointType !== ENDPOINT_BROKERS) {
      // "we" is the client: it asked for another endpoint type than this listener serves.
      const errorMessage = `The request was sent to an endpoint of type ${ENDPOINT_TYPES[ENDPOINT_BROKERS]}, but we wanted an endpoint of type ${asked}`
      return { throttleTimeMs: 0, errorCode: MISMATCHED_ENDPOINT_TYPE, errorMessage, clusterId: '', brokers: [] }
    }
    const res: DescribeClusterResponseInput = {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      brokers: [{ brokerId: broker.nodeId, host: ctx.advertised.host, port: ctx.advertised.port, rack: null, isFenced: false }],
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? authorizedOperations('cluster') : AUTHORIZED_OPERATIONS_OMITTED,
    }
    if (ctx.apiVersion >= 1) res.endpointType = ENDPOINT_BROKERS
    return res
  },
})
