import { configSchema } from './config.ts'

export const configTableMarkers = { start: '<!-- config-table:start -->', end: '<!-- config-table:end -->' } as const

/** The README's configuration table, made from the config schema so the two never drift apart. */
export function configTable(): string {
  const defaults = configSchema.parse({}) as Record<string, unknown>
  const rows = Object.entries(configSchema.shape).map(([name, schema]) => {
    const value = defaults[name]
    const shown = value === undefined ? '(unset)' : `\`${String(value)}\``
    return `| \`${name}\` | ${shown} | ${schema.description ?? ''} |`
  })
  return ['| variable | default | what it sets |', '|---|---|---|', ...rows].join('\n')
}
