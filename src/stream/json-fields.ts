/** Event fields that carry a JSON document as text in Avro (`"doc": "JSON …, as text"` in schemas/). */
const jsonTextFields = new Set(['payload', 'metadata', 'result', 'handlerConfig', 'context', 'response'])

const parsed = (value: unknown): unknown => {
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}

/**
 * An event's data as clients of the live stream want it: the JSON documents that Avro carries as
 * text (a task's payload, metadata and result, a pool's handler config, a workflow step's
 * payload…) as JSON values, not as strings inside the JSON.
 */
export function withJsonFields(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(data)) {
    if (jsonTextFields.has(key)) out[key] = parsed(value)
    else if (key === 'steps' && Array.isArray(value))
      out[key] = value.map((s) => (s && typeof s === 'object' ? withJsonFields(s as Record<string, unknown>) : s))
    else out[key] = value
  }
  return out
}
