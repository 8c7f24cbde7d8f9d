// The live event stream: one EventSource, listeners per event type (frames are named by type).
// EventSource resumes with Last-Event-ID by itself; after a fatal close or an overflow frame
// the page reconnects from the last position it saw.
import { has } from './api.js'

const labels = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  polling: 'Polling (no live stream)',
}

export async function connectLive({ onEvent, onState }) {
  if (!has('get', '/api/v1/stream') || typeof EventSource === 'undefined') return onState('polling', labels.polling)
  const types = await (await fetch('/dashboard/event-types.json')).json()
  let lastId = ''
  let source
  const open = () => {
    onState('connecting', labels.connecting)
    source = new EventSource(`/api/v1/stream${lastId ? `?lastEventId=${encodeURIComponent(lastId)}` : ''}`)
    source.onopen = () => onState('live', labels.live)
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED) return onState('reconnecting', labels.reconnecting)
      onState('offline', labels.offline)
      setTimeout(open, 5_000)
    }
    const receive = (message) => {
      if (message.lastEventId) lastId = message.lastEventId
      try {
        onEvent(JSON.parse(message.data))
      } catch {
        /* a frame that is not JSON carries nothing to show */
      }
    }
    for (const type of types) source.addEventListener(type, receive)
    source.addEventListener('overflow', (message) => {
      source.close()
      lastId = JSON.parse(message.data).lastEventId ?? message.lastEventId ?? lastId
      open()
    })
  }
  open()
}
