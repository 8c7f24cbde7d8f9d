import type { Db } from '../../infra/postgres.ts'

export const getWorkflow = (db: Db, id: string) => db.selectFrom('workflows').selectAll().where('id', '=', id).executeTakeFirst()

export type WorkflowRecord = NonNullable<Awaited<ReturnType<typeof getWorkflow>>>

/** The steps in definition order, each with the live status of its task (when the task exists). */
export const getWorkflowSteps = (db: Db, workflowId: string) =>
  db
    .selectFrom('workflow_steps')
    .leftJoin('tasks', 'tasks.id', 'workflow_steps.task_id')
    .select([
      'workflow_steps.step_id',
      'workflow_steps.task_id',
      'workflow_steps.title',
      'workflow_steps.pool',
      'workflow_steps.priority',
      'workflow_steps.depends_on',
      'workflow_steps.optional',
      'workflow_steps.outcome',
      'workflow_steps.error',
      'tasks.status as task_status',
      'tasks.progress as task_progress',
    ])
    .where('workflow_steps.workflow_id', '=', workflowId)
    .orderBy('workflow_steps.position')
    .execute()

export type WorkflowStepRecord = Awaited<ReturnType<typeof getWorkflowSteps>>[number]
