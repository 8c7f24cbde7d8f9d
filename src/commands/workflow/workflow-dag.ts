/** A problem that makes a set of steps not a valid DAG. */
export type DagProblem =
  | Readonly<{ kind: 'no-steps' }>
  | Readonly<{ kind: 'duplicate-step'; stepId: string }>
  | Readonly<{ kind: 'unknown-dependency'; stepId: string; dependsOn: string }>
  | Readonly<{ kind: 'duplicate-dependency'; stepId: string; dependsOn: string }>
  | Readonly<{ kind: 'cycle'; steps: readonly string[] }>

type StepLike = Readonly<{ stepId: string; dependsOn: readonly string[] }>

/**
 * Every problem at once (so a client fixes them in one round): no steps, duplicate ids,
 * references to unknown steps, and cycles (self-dependencies included), each cycle once.
 */
export function validateDag(steps: readonly StepLike[]): DagProblem[] {
  if (steps.length === 0) return [{ kind: 'no-steps' }]
  const problems: DagProblem[] = []
  const ids = new Set<string>()
  for (const s of steps) {
    if (ids.has(s.stepId)) problems.push({ kind: 'duplicate-step', stepId: s.stepId })
    ids.add(s.stepId)
  }
  for (const s of steps) {
    const seen = new Set<string>()
    for (const d of s.dependsOn) {
      if (seen.has(d)) problems.push({ kind: 'duplicate-dependency', stepId: s.stepId, dependsOn: d })
      seen.add(d)
      if (!ids.has(d)) problems.push({ kind: 'unknown-dependency', stepId: s.stepId, dependsOn: d })
    }
  }
  return [...problems, ...findCycles(steps, ids)]
}

/** Depth-first search with colours; a back edge closes a cycle, reported from its first step. */
function findCycles(steps: readonly StepLike[], ids: ReadonlySet<string>): DagProblem[] {
  const edges = new Map<string, string[]>()
  for (const s of steps) edges.set(s.stepId, [...(edges.get(s.stepId) ?? []), ...s.dependsOn.filter((d) => ids.has(d))])
  const colour = new Map<string, 'grey' | 'black'>()
  const path: string[] = []
  const cycles: DagProblem[] = []
  const visit = (id: string): void => {
    colour.set(id, 'grey')
    path.push(id)
    for (const next of edges.get(id) ?? []) {
      if (colour.get(next) === 'grey') cycles.push({ kind: 'cycle', steps: [...path.slice(path.indexOf(next)), next] })
      else if (!colour.has(next)) visit(next)
    }
    path.pop()
    colour.set(id, 'black')
  }
  for (const id of edges.keys()) if (!colour.has(id)) visit(id)
  return cycles
}

/** The task a step runs as: deterministic, so a redelivered start creates nothing twice. */
export const stepTaskId = (workflowId: string, stepId: string): string => `${workflowId}.${stepId}`

/** Splits a task id into its workflow and step, when it has the shape of a step's task. */
export function parseStepTaskId(taskId: string): { workflowId: string; stepId: string } | undefined {
  const dot = taskId.lastIndexOf('.')
  return dot > 0 && dot < taskId.length - 1 ? { workflowId: taskId.slice(0, dot), stepId: taskId.slice(dot + 1) } : undefined
}

/**
 * The dependency id dependents of a step wait on. A required step's is its task id; an optional
 * step's is a marker only the workflow resolves (when the step completes or is skipped), so a
 * failed optional step never counts as a failed dependency of its dependents.
 */
export const stepDependencyId = (taskId: string, optional: boolean): string => (optional ? `${taskId}:settled` : taskId)
