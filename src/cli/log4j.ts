// What Kafka's tools log goes to stderr through config/tools-log4j2.yaml: `[%d] %p %m (%c)%n`, the date
// in log4j's default ISO8601 layout (local time, comma before the milliseconds).

export type Log4jLevel = 'ERROR' | 'WARN' | 'INFO'

/** Writes one log line, as Kafka's tools print it, to stderr. */
export function log4j(level: Log4jLevel, message: string, logger: string): void {
  const d = new Date()
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  const stamp = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`
  process.stderr.write(`[${stamp}] ${level} ${message} (${logger})\n`)
}

