// Dashboard entry: hash router, refresh loop, live stream fan-out.
import { loadCapabilities } from './api.js'
import { byId } from './dom.js'
import { connectLive } from './live.js'
import agents from './views/agents.js'
import deadLetters from './views/dead-letters.js'
import hitl from './views/hitl.js'
import overview from './views/overview.js'
import pools from './views/pools.js'
import queue from './views/queue.js'
import tasks from './views/tasks.js'

const views = [overview, pools, agents, queue, tasks, hitl, deadLetters]
let current = overview
let arg = ''
let liveState = 'connecting'

const ctx = {
  notify(text) {
    const el = byId('notice')
    el.textContent = text
    el.hidden = !text
  },
  go: (hash) => {
    location.hash = hash
  },
}

async function refresh() {
  try {
    await current.refresh(arg)
  } catch (error) {
    ctx.notify(`Could not load ${current.id}: ${error.message}`)
  }
}

function route() {
  const [id, ...rest] = location.hash.slice(1).split('/')
  current = views.find((v) => v.id === id) ?? overview
  arg = decodeURIComponent(rest.join('/'))
  for (const v of views) byId(`view-${v.id}`).hidden = v !== current
  for (const a of document.querySelectorAll('header nav a')) {
    if (a.getAttribute('href') === `#${current.id}`) a.setAttribute('aria-current', 'page')
    else a.removeAttribute('aria-current')
  }
  ctx.notify('')
  void refresh()
}

/** Live: events update rows in place and a slow refresh catches anything else; without the stream, poll. */
function schedule() {
  const delay = liveState === 'live' ? 15_000 : 3_000
  setTimeout(async () => {
    if (document.visibilityState !== 'hidden') await refresh()
    schedule()
  }, delay)
}

async function start() {
  await loadCapabilities()
  for (const v of views) v.init?.(ctx)
  window.addEventListener('hashchange', route)
  route()
  schedule()
  const indicator = byId('live')
  await connectLive({
    onState(state, label) {
      liveState = state
      indicator.dataset.state = state
      indicator.textContent = label
    },
    onEvent(event) {
      for (const v of views) v.onEvent?.(event)
    },
  })
}

void start()
