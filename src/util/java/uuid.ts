// java.util.UUID.fromString(s).toString(), which Kafka's UUIDDeserializer applies to record bytes.

/** What Java throws as IllegalArgumentException (NumberFormatException included), named as Java prints it. */
export class JavaIllegalArgumentError extends Error {
  override readonly name = 'java.lang.IllegalArgumentException'
}

/** Long.parseLong(s, 16): optional sign, ASCII hex digits, must fit a signed 64-bit long. */
function parseLongHex(s: string): bigint {
  if (!/^[+-]?[0-9a-fA-F]+$/.test(s)) throw new JavaIllegalArgumentError(`For input string: "${s}" under radix 16`)
  const value = BigInt(s[0] === '+' ? '0x' + s.slice(1) : s[0] === '-' ? '-0x' + s.slice(1) : '0x' + s)
  if (value > 0x7fffffffffffffffn || value < -0x8000000000000000n) {
    throw new JavaIllegalArgumentError(`For input string: "${s}" under radix 16`)
  }
  return value
}

/**
 * UUID.fromString as in JDK 11–21: five dash-separated hex fields, each parsed as a long and
 * masked to its width (so "1-2-3-4-5" is accepted), at most 36 characters.
 */
export function javaUuidFromString(name: string): string {
  if (name.length > 36) throw new JavaIllegalArgumentError('UUID string too large')
  const dash1 = name.indexOf('-', 0)
  const dash2 = name.indexOf('-', dash1 + 1)
  const dash3 = name.indexOf('-', dash2 + 1)
  const dash4 = name.indexOf('-', dash3 + 1)
  const dash5 = name.indexOf('-', dash4 + 1)
  // With fewer than four dashes Java's chain of indexOf calls always ends in dash4 < 0 or
  // dash5 >= 0; the explicit checks say the same thing plainly.
  if (dash1 < 0 || dash2 < 0 || dash3 < 0 || dash4 < 0 || dash5 >= 0) {
    throw new JavaIllegalArgumentError(`Invalid UUID string: ${name}`)
  }
  let msb = parseLongHex(name.slice(0, dash1)) & 0xffffffffn
  msb = (msb << 16n) | (parseLongHex(name.slice(dash1 + 1, dash2)) & 0xffffn)
  msb = (msb << 16n) | (parseLongHex(name.slice(dash2 + 1, dash3)) & 0xffffn)
  let lsb = parseLongHex(name.slice(dash3 + 1, dash4)) & 0xffffn
  lsb = (lsb << 48n) | (parseLongHex(name.slice(dash4 + 1)) & 0xffffffffffffn)
  const hex = msb.toString(16).padStart(16, '0') + lsb.toString(16).padStart(16, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
