import { spawn, type ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postJson, startHarness, waitFor, type Harness } from './support/harness.ts'
import { eventsOf, openSse, type SseClient } from './support/sse-client.ts'

describe('agentfleet api --workers 2', () => {
  let h: Harness
  let api: ChildProcess | undefined
  const urls: string[] = []
  const clients: SseClient[] = []
  beforeAll(async () => {
    h = await startHarness({ pools: ['cluster'], api: false })
    api = spawn(process.execPath, ['bin/agentfleet.js', 'api', '--workers', '2'], {
      env: { ...process.env, ...h.env, AGENTFLEET_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    api.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      for (const line of out.split('\n').slice(0, -1)) {
        const log = JSON.parse(line) as { msg?: string; url?: string }
        if (log.msg === 'api listening' && log.url) urls.push(log.url)
      }
      out = out.slice(out.lastIndexOf('\n') + 1)
    })
    await waitFor(async () => urls.length >= 2, 'both api workers to listen', 60_000)
  })
  afterAll(async () => {
    for (const c of clients) c.close()
    if (api && api.exitCode === null) {
      const exited = new Promise((resolve) => api!.once('exit', resolve))
      api.kill('SIGTERM')
      await exited
    }
    await h?.stop()
  })

  it('workers share one port; clients on either worker get every event', async () => {
    expect(new Set(urls).size).toBe(1)
    const base = urls[0]!.replace('0.0.0.0', '127.0.0.1')
    for (let i = 0; i < 4; i++) {
      const c = await openSse(`${base}/api/v1/stream?pool=cluster`)
      clients.push(c)
      await waitFor(async () => c.comments.includes('ready'), 'the stream to be ready')
    }
    // Round-robin hands the connections to both workers, each with its own tail consumer.
    expect(new Set(clients.map((c) => c.headers.get('x-served-by'))).size).toBe(2)
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      const res = await postJson(`${base}/api/v1/tasks`, { title: `c${i}`, pool: 'cluster' })
      expect(res.status).toBe(201)
      ids.push(((await res.json()) as { id: string }).id)
    }
    // Each task is created with two events (TaskCreated, TaskQueued); every client gets each exactly once, in order.
    const expected = ids.flatMap((id) => [`${id}:1:TaskCreated`, `${id}:2:TaskQueued`])
    for (const c of clients) {
      await c.waitForMessages(expected.length)
      const events = eventsOf(c.messages)
      expect(events.map((e) => `${e.aggregateId}:${e.version}:${e.type}`).sort()).toEqual([...expected].sort())
      for (const id of ids) expect(events.filter((e) => e.aggregateId === id).map((e) => e.version)).toEqual([1, 2])
    }
  })

  it('stops every worker on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => api!.once('exit', (code) => resolve(code)))
    api!.kill('SIGTERM')
    expect(await exited).toBe(0)
    for (const c of clients) await c.ended
  })
})
