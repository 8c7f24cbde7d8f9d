/**
 * Subjects through the Confluent-compatible REST API (Confluent, Apicurio's ccompat, …):
 * list them, and delete one soft then permanently, as Confluent requires.
 *
 * Apicurio's ccompat lists at most `apicurio.ccompat.max-subjects` subjects (1000 by default)
 * and ignores `subjectPrefix`, so a listing may be partial: callers that must find every subject
 * of a namespace add the names they can compute (topic × record name). It also answers
 * `GET /subjects` in time growing with every subject it holds (tens of seconds at 25,000), while
 * `GET /subjects?deleted=true` — live and soft-deleted subjects, a superset — answers at once.
 */

const json = { accept: 'application/vnd.schemaregistry.v1+json, application/json' }
const timeoutMs = 10_000

export type SubjectListing = Readonly<{ subjects: readonly string[]; mayBeCapped: boolean }>

/** Every subject the registry lists, soft-deleted ones included (they are still there until deleted permanently). */
export async function listSubjects(registryUrl: string): Promise<SubjectListing> {
  const res = await fetch(`${registryUrl}/subjects?deleted=true`, {
    headers: json,
    signal: AbortSignal.timeout(timeoutMs),
  })
  if (!res.ok) throw new Error(`registry GET /subjects?deleted=true: HTTP ${res.status} ${await res.text()}`)
  const subjects = (await res.json()) as string[]
  // Apicurio's default cap: a listing of exactly that size is probably cut short.
  return { subjects, mayBeCapped: subjects.length === 1000 }
}

export type SubjectDeletion = 'deleted' | 'absent'

const notFound = (status: number, body: string) => status === 404 && /"error_code"\s*:\s*4040[124]/.test(body)

/**
 * Deletes a subject soft, then permanently (a permanent delete needs the soft one first). A
 * subject that was soft-deleted before is still removed; one that never existed is `absent`.
 */
export async function deleteSubject(registryUrl: string, subject: string): Promise<SubjectDeletion> {
  const url = `${registryUrl}/subjects/${encodeURIComponent(subject)}`
  const call = async (query: string) => {
    const res = await fetch(`${url}${query}`, { method: 'DELETE', headers: json, signal: AbortSignal.timeout(timeoutMs) })
    return { status: res.status, body: await res.text() }
  }
  const soft = await call('')
  if (soft.status >= 300 && !notFound(soft.status, soft.body))
    throw new Error(`registry DELETE ${subject}: HTTP ${soft.status} ${soft.body}`)
  const hard = await call('?permanent=true')
  if (hard.status < 300) return 'deleted'
  if (notFound(hard.status, hard.body)) return soft.status < 300 ? 'deleted' : 'absent'
  throw new Error(`registry DELETE ${subject}?permanent=true: HTTP ${hard.status} ${hard.body}`)
}
