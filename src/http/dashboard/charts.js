// Small inline SVG charts, drawn with DOM calls (no markup strings).
const NS = 'http://www.w3.org/2000/svg'
const svg = (tag, attrs) => {
  const el = document.createElementNS(NS, tag)
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v))
  return el
}

/** A sparkline of the samples (oldest first), labelled with its latest value. */
export function sparkline(values, label, width = 180, height = 40) {
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'spark' })
  const latest = values.length ? values[values.length - 1] : null
  const title = svg('title', {})
  title.textContent = `${label}: ${latest === null ? 'no samples yet' : `${Math.round(latest * 10) / 10} (last ${values.length} samples)`}`
  root.append(title)
  root.append(svg('line', { x1: 0, y1: height - 1, x2: width, y2: height - 1, class: 'axis' }))
  if (values.length > 1) {
    const max = Math.max(...values, 1)
    const step = width / (values.length - 1)
    const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`)
    root.append(svg('polyline', { points: points.join(' '), class: 'line' }))
  }
  return root
}

/** A horizontal bar for one figure, scaled against the largest figure it is compared with. */
export function bar(value, max, text) {
  const root = svg('svg', { viewBox: '0 0 100 10', width: 100, height: 10, role: 'img', class: 'bar', preserveAspectRatio: 'none' })
  const title = svg('title', {})
  title.textContent = text
  root.append(title, svg('rect', { x: 0, y: 0, width: 100, height: 10, class: 'bar-bg' }))
  if (value !== null && value !== undefined && max > 0)
    root.append(svg('rect', { x: 0, y: 0, width: Math.max(1, (value / max) * 100).toFixed(1), height: 10, class: 'bar-fg' }))
  return root
}

/** Keeps the last `size` samples per key. */
export function sampler(size = 60) {
  const series = new Map()
  return {
    push(key, value) {
      const s = series.get(key) ?? []
      s.push(value)
      if (s.length > size) s.shift()
      series.set(key, s)
    },
    get: (key) => series.get(key) ?? [],
  }
}
