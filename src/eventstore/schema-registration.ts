import type { SchemaSet } from '../events/schema-files.ts'
import { eventTopic, subjectName } from '../events/topics.ts'

export type SubjectResult = Readonly<{ subject: string; id?: number; compatible?: boolean; messages?: readonly string[] }>

const json = { 'content-type': 'application/vnd.schemaregistry.v1+json' }

const subjectsOf = (set: SchemaSet, prefix: string) =>
  set.events.map((e) => ({ subject: subjectName(eventTopic(prefix, e.aggregate), e.fullName), schema: JSON.stringify(e.schema) }))

async function call(url: string, init: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { ...init, headers: json, signal: AbortSignal.timeout(10_000) })
  const text = await res.text()
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}

/**
 * Registers every event schema under TopicRecordNameStrategy subjects with BACKWARD
 * compatibility, through the Confluent REST API (any compatible registry works).
 */
export async function registerSchemas(registryUrl: string, set: SchemaSet, prefix: string): Promise<SubjectResult[]> {
  const results: SubjectResult[] = []
  for (const { subject, schema } of subjectsOf(set, prefix))
    results.push({ subject, id: await registerSubject(registryUrl, subject, schema) })
  return results
}

/** Registers one schema (JSON text) under `subject` with BACKWARD compatibility; returns its id. */
export async function registerSubject(registryUrl: string, subject: string, schema: string): Promise<number> {
  const s = encodeURIComponent(subject)
  const config = await call(`${registryUrl}/config/${s}`, { method: 'PUT', body: JSON.stringify({ compatibility: 'BACKWARD' }) })
  if (config.status >= 300)
    throw new Error(`registry refused compatibility config for ${subject}: ${config.status} ${JSON.stringify(config.body)}`)
  const reg = await call(`${registryUrl}/subjects/${s}/versions`, { method: 'POST', body: JSON.stringify({ schema }) })
  if (reg.status >= 300)
    throw new Error(`registry refused ${subject}: ${reg.status} ${String(reg.body.message ?? JSON.stringify(reg.body))}`)
  return Number(reg.body.id)
}

/** Tests each local schema against the latest registered version; new subjects are compatible. */
export async function checkSchemas(registryUrl: string, set: SchemaSet, prefix: string): Promise<SubjectResult[]> {
  const results: SubjectResult[] = []
  for (const { subject, schema } of subjectsOf(set, prefix)) {
    const res = await call(`${registryUrl}/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`, {
      method: 'POST',
      body: JSON.stringify({ schema }),
    })
    if (res.status === 404) results.push({ subject, compatible: true, messages: ['not registered yet'] })
    else if (res.status >= 300) throw new Error(`registry could not check ${subject}: ${res.status} ${JSON.stringify(res.body)}`)
    else results.push({ subject, compatible: res.body.is_compatible === true, messages: (res.body.messages as string[] | undefined) ?? [] })
  }
  return results
}
