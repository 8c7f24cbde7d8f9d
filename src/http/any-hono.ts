import type { Hono } from 'hono'

/** A Hono app of any environment: routes that need nothing from it (dashboard, docs, health) accept every app. */
// biome-ignore lint/suspicious/noExplicitAny: the environment, schema and base path of the app do not matter to these routes
export type AnyHono = Hono<any, any, any>
