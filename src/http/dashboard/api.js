// The API client. Which endpoints exist is read once from /openapi.json, so panels for
// endpoints this server does not have yet are shown as not available without a failing request.

let paths = {}

export async function loadCapabilities() {
  const res = await fetch('/openapi.json')
  paths = res.ok ? ((await res.json()).paths ?? {}) : {}
}

export const has = (method, path) => Boolean(paths[path]?.[method.toLowerCase()])

export class Unavailable extends Error {
  constructor(path) {
    super(`${path} is not available on this server`)
  }
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`)
    this.status = status
    this.problem = problem
  }
}

/** `accept` lists non-2xx statuses whose body is still an answer (e.g. 503 from /health/ready). */
export async function request(method, path, body, accept = []) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const data = (res.headers.get('content-type') ?? '').includes('json') ? await res.json() : await res.text()
  if (res.status === 404 && data?.code === 'route.not-found') throw new Unavailable(path)
  if (!res.ok && !accept.includes(res.status)) throw new ApiError(res.status, data)
  return data
}

export const get = (path, accept) => request('GET', path, undefined, accept)
export const post = (path, body = {}) => request('POST', path, body)

export const query = (params) => {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ''))
  return q.size ? `?${q}` : ''
}
