/**
 * UpdateFeatures (57), v0–v2 (flexible from v0).
 * Behaviour: this node is the controller; the broker core's FeatureAdmin checks the updates in order and
 * applies all or none (validate_only: none). Kafka's controller answers one error for the request: v0–v1
 * repeat it in each feature's result, v2 has the top-level error only. Duplicate feature names →
 * INVALID_REQUEST, as Kafka's ControllerApis answers them.
 */
import type { UpgradeType } from '../../broker/feature-admin.js'
import { ERRORS } from '../../protocol/error-codes.js'
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeUpdateFeaturesRequest,
  encodeUpdateFeaturesResponse,
  type UpdateFeaturesRequest,
  type UpdateFeaturesResponseInput,
} from '../../protocol/messages/update-features.js'
import { defineHandler } from '../handler.js'

const UPGRADE_TYPES: Readonly<Record<number, UpgradeType>> = { 1: 'upgrade', 2: 'safe-downgrade', 3: 'unsafe-downgrade' }

export const updateFeaturesHandler = defineHandler<UpdateFeaturesRequest, UpdateFeaturesResponseInput>({
  apiKey: ApiKey.UpdateFeatures,
  name: 'UpdateFeatures',
  minVersion: 0,
  maxVersion: 2,
  decode: decodeUpdateFeaturesRequest,
  encode: encodeUpdateFeaturesResponse,
  handle(req, ctx) {
    const answer = (errorCode: number, errorMessage: string | null): UpdateFeaturesResponseInput => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      results: req.featureUpdates.map((u) => ({ feature: u.feature, errorCode, errorMessage })),
    })
    const names = req.featureUpdates.map((u) => u.feature)
    const duplicate = names.find((n, i) => names.indexOf(n) !== i)
    if (duplicate !== undefined) return answer(ERRORS.INVALID_REQUEST.code, `Feature ${duplicate} was specified more than once.`)
    // v0 had allow_downgrade instead of a type: true meant a safe downgrade.
    const typeOf = (u: (typeof req.featureUpdates)[number]) => (ctx.apiVersion === 0 ? (u.allowDowngrade ? 'safe-downgrade' : 'upgrade') : UPGRADE_TYPES[u.upgradeType])
    const unknownType = req.featureUpdates.find((u) => typeOf(u) === undefined)
    if (unknownType !== undefined) {
      return answer(ERRORS.INVALID_UPDATE_VERSION.code, `Invalid update version ${unknownType.maxVersionLevel} for feature ${unknownType.feature}. The controller does not support the given upgrade type.`)
    }
    const outcome = ctx.broker.features.update(
      req.featureUpdates.map((u) => ({ name: u.feature, level: u.maxVersionLevel, type: typeOf(u)! })),
      req.validateOnly,
    )
    return outcome.ok ? answer(0, null) : answer(outcome.error.code, outcome.error.message)
  },
})
