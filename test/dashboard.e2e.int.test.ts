import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { poolDecider } from '../src/commands/pool/pool.decider.ts'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import type { TaskCommand } from '../src/commands/task/task.commands.ts'
import type { WriteSide } from '../src/commands/write-side.ts'
import { openBrowser, screenshot, type Browser } from './support/browser.ts'
import { postJson, startHarness, waitFor, type Harness } from './support/harness.ts'

describe('dashboard in headless Chromium', () => {
  let h: Harness
  let browser: Browser
  let writeSide: WriteSide
  beforeAll(async () => {
    h = await startHarness()
    writeSide = await h.writeSide()
    browser = await openBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await h?.stop()
  })

  const run = (id: string, command: TaskCommand, n: string) =>
    writeSide.execute('task', id, taskDecider, command, { commandId: `e2e-${n}`, correlationId: 'e2e', causationId: null, actor: 'e2e' })

  it('creates a task in the UI, follows its lifecycle live, answers its question in the inbox, and renders every view and the API docs', async () => {
    const { page, problems } = browser
    expect((await postJson(`${h.baseUrl}/api/v1/pools`, { name: 'e2e', role: 'writer' })).status).toBe(201)
    expect((await postJson(`${h.baseUrl}/api/v1/agents`, { name: 'writer-1', role: 'writer', pool: 'e2e' })).status).toBe(201)
    await page.goto(`${h.baseUrl}/#tasks`)
    await page.locator('#live[data-state="live"]').waitFor()
    // Below the 15 s safety refresh: each change must arrive through the live stream.
    const live = { timeout: 10_000 }

    // Markup in data must come out as text.
    const title = `Summarise <img src=x onerror="window.pwned=1"> report ${h.id}`
    await page.getByText('New task').click()
    await page.getByLabel('Title').fill(title)
    await page.locator('#create-task').getByLabel('Pool').fill('e2e')
    await page.locator('#create-task').getByLabel('Priority').selectOption('HIGH')
    await page.getByRole('button', { name: 'Create task' }).click()
    const row = page.locator('#tasks-table tr', { hasText: title })
    await row.locator('.pill', { hasText: 'queued' }).waitFor(live)
    const id = (await row.getAttribute('data-key'))!
    expect(id).toMatch(/^[0-9A-Z]{26}$/)
    await screenshot(page, 'tasks-queued')

    // Drive the run from the write side, as an agent would; the row follows without a reload.
    const claimed = await run(id, { type: 'ClaimTask', agentId: 'agent-e2e', leaseMs: 60_000, now: Date.now() }, 'claim')
    const leaseEpoch = (claimed.state as { leaseEpoch: number }).leaseEpoch
    await run(id, { type: 'StartTask', agentId: 'agent-e2e', dispatchVersion: null, leaseEpoch }, 'start')
    await row.locator('.pill', { hasText: 'running' }).waitFor(live)
    await run(id, { type: 'ReportTaskProgress', percent: 60, message: 'halfway', leaseEpoch }, 'progress')
    await page.waitForFunction(
      (taskId) => document.querySelector<HTMLProgressElement>(`tr[data-key="${taskId}"] progress`)?.value === 60,
      id,
      live,
    )

    // The agent asks a human; the task parks until the answer comes from the inbox, then queues again.
    const asked = await postJson(`${h.baseUrl}/api/v1/tasks/${id}/input-requests`, {
      agentId: 'agent-e2e',
      leaseEpoch,
      question: `Publish the summary ${h.id}?`,
      options: ['approve', 'reject'],
      context: { draft: '<b>not markup</b>' },
    })
    expect(asked.status).toBe(201)
    await row.locator('.pill', { hasText: 'awaiting input' }).waitFor(live)
    const nav = page.getByRole('navigation', { name: 'Views' })
    await nav.locator('a[href="#hitl"]').click()
    const request = page.locator('#hitl-list article', { hasText: `Publish the summary ${h.id}?` })
    await request.waitFor(live)
    const hitlId = (await request.getAttribute('data-key'))!
    await request.getByText('Context').click()
    expect(await request.locator('pre').textContent()).toContain('<b>not markup</b>')
    await screenshot(page, 'hitl-pending')
    await request.getByRole('button', { name: 'approve' }).click()
    await request.waitFor({ state: 'detached' })
    const answered = await waitFor(async () => {
      const r = (await (await fetch(`${h.baseUrl}/api/v1/hitl/${hitlId}`)).json()) as {
        status: string
        response: unknown
        respondedBy: string
      }
      return r.status === 'answered' && r
    }, 'the HITL request to be answered')
    expect(answered).toMatchObject({ response: 'approve', respondedBy: 'operator', taskId: id })
    await nav.locator('a[href="#tasks"]').click()
    await row.locator('.pill', { hasText: 'queued' }).waitFor(live)

    const reclaimed = await run(id, { type: 'ClaimTask', agentId: 'agent-e2e', leaseMs: 60_000, now: Date.now() }, 'claim-2')
    const resumedEpoch = (reclaimed.state as { leaseEpoch: number }).leaseEpoch
    await run(id, { type: 'StartTask', agentId: 'agent-e2e', dispatchVersion: null, leaseEpoch: resumedEpoch }, 'start-2')
    await run(
      id,
      { type: 'CompleteTask', agentId: 'agent-e2e', leaseEpoch: resumedEpoch, result: { summary: 'done' }, now: Date.now() },
      'complete',
    )
    await row.locator('.pill', { hasText: 'completed' }).waitFor(live)

    const filters = page.getByRole('search', { name: 'Filter tasks' })
    await filters.getByLabel('Status').selectOption('queued')
    await filters.getByRole('button', { name: 'Apply' }).click()
    await page.getByText('No tasks match.').waitFor()
    await filters.getByLabel('Status').selectOption('completed')
    await filters.getByLabel('Search').fill(h.id)
    await filters.getByRole('button', { name: 'Apply' }).click()
    await row.waitFor()

    await row.getByRole('link', { name: title }).click()
    await page.locator('#task-detail-body .pill', { hasText: 'completed' }).waitFor()
    await page.locator('#task-detail-body .history li', { hasText: 'TaskInputReceived' }).waitFor()
    expect(await page.locator('#h-task-detail').textContent()).toBe(title)
    expect(await page.locator('main img').count()).toBe(0)
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined()
    await screenshot(page, 'task-detail')

    // An autoscaling decision, as the worker group records it, shows on the pool's card.
    await writeSide.execute(
      'pool',
      'e2e',
      poolDecider,
      { type: 'RecordScaling', fromWorkers: 0, toWorkers: 2, lag: 40, timeLagMs: 1_500, reason: 'lag above threshold' },
      { commandId: 'e2e-scale', correlationId: 'e2e', causationId: null, actor: 'e2e' },
    )

    // A task that spends its only attempt lands in the dead letters.
    const flaky = (await (await postJson(`${h.baseUrl}/api/v1/tasks`, { title: `Flaky ${h.id}`, pool: 'e2e', maxAttempts: 1 })).json()) as {
      id: string
    }
    const flakyEpoch = (
      (await run(flaky.id, { type: 'ClaimTask', agentId: 'agent-e2e', leaseMs: 60_000, now: Date.now() }, 'f-claim')).state as {
        leaseEpoch: number
      }
    ).leaseEpoch
    await run(flaky.id, { type: 'StartTask', agentId: 'agent-e2e', dispatchVersion: null, leaseEpoch: flakyEpoch }, 'f-start')
    await run(
      flaky.id,
      {
        type: 'FailTask',
        agentId: 'agent-e2e',
        leaseEpoch: flakyEpoch,
        error: 'upstream timed out',
        retryable: true,
        now: Date.now(),
        retryDelayMs: 0,
      },
      'f-fail',
    )

    for (const view of ['overview', 'pools', 'agents', 'queue', 'hitl', 'dead-letters']) {
      await page.getByRole('navigation', { name: 'Views' }).locator(`a[href="#${view}"]`).click()
      await page.locator(`#view-${view}:not([hidden])`).waitFor()
      if (view === 'overview') await page.locator('#overview-deps li').nth(3).waitFor()
      if (view === 'pools') {
        const card = page.locator('#pools-list article[data-key="e2e"]')
        await card.locator('li', { hasText: '0 → 2 workers (lag above threshold), lag 40' }).waitFor(live)
        await card.getByText('No worker processes reported.').waitFor()
        await card.getByText('workers (its worker group runs the tasks)').waitFor()
      }
      if (view === 'queue')
        await page
          .locator('#queue-stats article[data-key="e2e"] tr[data-key="HIGH"] td[data-label="Completed"]', { hasText: '1' })
          .waitFor()
      if (view === 'dead-letters') {
        const letter = page.locator(`#dead-letters-table tr[data-key="${flaky.id}"]`)
        await letter.locator('td', { hasText: 'upstream timed out' }).waitFor(live)
        await screenshot(page, 'dead-letters')
        await letter.getByRole('button', { name: `Requeue Flaky ${h.id}` }).click()
        await letter.waitFor({ state: 'detached' })
        await waitFor(
          async () => ((await (await fetch(`${h.baseUrl}/api/v1/tasks/${flaky.id}`)).json()) as { status: string }).status === 'queued',
          'the requeued task',
        )
      }
      if (view === 'agents') await page.locator('#agents-table tr', { hasText: 'writer-1' }).waitFor()
      await page.waitForLoadState('networkidle')
      await screenshot(page, `view-${view}`)
      expect(await page.locator('#notice').isHidden(), `${view}: ${await page.locator('#notice').textContent()}`).toBe(true)
    }

    await page.setViewportSize({ width: 390, height: 800 })
    await page.goto(`${h.baseUrl}/#tasks`)
    await row.waitFor()
    await screenshot(page, 'tasks-narrow')
    await page.setViewportSize({ width: 1280, height: 900 })

    await page.getByRole('link', { name: 'API docs' }).click()
    await page.getByRole('heading', { name: 'tasks', exact: true }).waitFor()
    const createTask = page.locator('#op-post-api-v1-tasks')
    expect(await createTask.textContent()).toContain('Create a task')
    expect(await createTask.textContent()).toContain('CreateTask')
    await screenshot(page, 'docs', false)

    expect(problems).toEqual([])
  })
})
