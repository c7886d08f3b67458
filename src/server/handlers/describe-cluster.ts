/**
 * DescribeCluster (60), v0–v1 (flexible from v0).
 * Behaviour: cluster id from meta.properties, controller = this node, one broker: this node at the
 * advertised host/port of the listener the request came in on, rack null. v1 endpoint_type: 1 (brokers) is
 * answered; 2 (controllers) → MISMATCHED_ENDPOINT_TYPE (114), as a Kafka broker answers it; anything else →
 * UNSUPPORTED_ENDPOINT_TYPE (115).
 * Differs from Apache Kafka: cluster_authorized_operations is always -2147483648 ("not provided"), even when
 * asked for (there is no authorizer).
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeDescribeClusterRequest,
  encodeDescribeClusterResponse,
  type DescribeClusterRequest,
  type DescribeClusterResponseInput,
} from '../../protocol/messages/describe-cluster.js'
import { defineHandler } from '../handler.js'

const ENDPOINT_BROKERS = 1
const ENDPOINT_CONTROLLERS = 2
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648
// Not in the project's error table yet: Errors.java's codes and texts.
const MISMATCHED_ENDPOINT_TYPE = { code: 114, message: 'The request was sent to an endpoint of the wrong type.' }
const UNSUPPORTED_ENDPOINT_TYPE = { code: 115, message: 'This endpoint type is not supported yet.' }

export const describeClusterHandler = defineHandler<DescribeClusterRequest, DescribeClusterResponseInput>({
  apiKey: ApiKey.DescribeCluster,
  name: 'DescribeCluster',
  minVersion: 0,
  maxVersion: 1,
  decode: decodeDescribeClusterRequest,
  encode: encodeDescribeClusterResponse,
  handle(req, ctx) {
    const { broker } = ctx
    if (req.endpointType !== ENDPOINT_BROKERS) {
      const error = req.endpointType === ENDPOINT_CONTROLLERS ? MISMATCHED_ENDPOINT_TYPE : UNSUPPORTED_ENDPOINT_TYPE
      return { throttleTimeMs: 0, errorCode: error.code, errorMessage: error.message, clusterId: '', brokers: [] }
    }
    const res: DescribeClusterResponseInput = {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      brokers: [{ brokerId: broker.nodeId, host: ctx.advertised.host, port: ctx.advertised.port, rack: null }],
      clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    }
    if (ctx.apiVersion >= 1) res.endpointType = ENDPOINT_BROKERS
    return res
  },
})
