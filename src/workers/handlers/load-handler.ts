import { isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { AppError } from '../../errors.ts'
import { commandHandler } from './command.handler.ts'
import { echoHandler } from './echo.handler.ts'
import type { Handler } from './handler.ts'
import { httpHandler } from './http.handler.ts'
import { createLlmHandler } from './llm.handler.ts'

export const builtInHandlers = ['echo', 'http', 'command', 'llm'] as const

/**
 * A built-in handler by role, or a user module: a path (absolute, or relative to the working
 * directory) whose default export is `(ctx) => result`.
 */
export async function loadHandler(name: string, env: Readonly<Record<string, string | undefined>>): Promise<Handler> {
  switch (name) {
    case 'echo':
      return echoHandler
    case 'http':
      return httpHandler
    case 'command':
      return commandHandler
    case 'llm':
      return createLlmHandler(env)
  }
  const path = isAbsolute(name) ? name : resolve(name)
  const mod = (await import(pathToFileURL(path).href)) as { default?: unknown }
  if (typeof mod.default !== 'function')
    throw new AppError('handler.invalid-module', `${path} must export a default function (ctx) => result`)
  return mod.default as Handler
}
