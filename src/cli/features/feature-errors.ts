import { FeatureError } from '../../broker/features.js'
import { UserError } from '../errors.js'

/** Runs a feature parse or lookup, turning its FeatureError into the bare one-line message the tools print. */
export function featureArgument<T>(work: () => T): T {
  try {
    return work()
  } catch (err) {
    if (err instanceof FeatureError) throw new UserError(err.message)
    throw err
  }
}
