import { TaskPriority } from '../events/generated/event-types.ts'

/** Dispatch lanes, highest first: workers drain a lane before the ones below it. */
export const lanes = TaskPriority

export const dispatchTopic = (prefix: string, pool: string, priority: TaskPriority): string =>
  `${prefix}.dispatch.${pool}.${priority.toLowerCase()}`

export const deadLetterTopic = (prefix: string, pool: string): string => `${prefix}.dispatch.${pool}.dlq`

export const laneTopics = (prefix: string, pool: string): string[] => lanes.map((p) => dispatchTopic(prefix, pool, p))

/** The consumer group of a pool's worker processes. */
export const workerGroup = (prefix: string, pool: string): string => `${prefix}.workers.${pool}`

/** Lane of a dispatch topic, or undefined for another topic. */
export function laneOf(topic: string): TaskPriority | undefined {
  const suffix = topic.slice(topic.lastIndexOf('.') + 1).toUpperCase()
  return (lanes as readonly string[]).includes(suffix) ? (suffix as TaskPriority) : undefined
}

/** Pool names become part of topic names. */
export const validPoolName = (pool: string): boolean => /^[a-zA-Z0-9_-]{1,100}$/.test(pool)
