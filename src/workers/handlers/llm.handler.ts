import { NonRetriableError } from '../../errors.ts'
import type { Handler } from './handler.ts'

type Message = { role: string; content: string }

/**
 * OpenAI-compatible chat completions. handlerConfig: `baseUrl` (…/v1), `model`, `apiKeyEnv`
 * (name of the variable holding the key, read from `env`), optional `temperature`,
 * `maxTokens`. The payload carries `messages` or a `prompt` (and optional `system`).
 */
export const createLlmHandler =
  (env: Readonly<Record<string, string | undefined>>): Handler =>
  async (ctx) => {
    const { baseUrl, model, apiKeyEnv } = ctx.config as { baseUrl?: string; model?: string; apiKeyEnv?: string }
    if (!baseUrl || !model) throw new NonRetriableError('the llm handler needs handlerConfig.baseUrl and model')
    const p = (ctx.payload ?? {}) as { messages?: Message[]; prompt?: string; system?: string }
    const messages: Message[] = p.messages ?? [
      ...(p.system ? [{ role: 'system', content: p.system }] : []),
      { role: 'user', content: String(p.prompt ?? '') },
    ]
    for (const i of ctx.inputs)
      messages.push({ role: 'user', content: typeof i.response === 'string' ? i.response : JSON.stringify(i.response) })
    const key = apiKeyEnv ? env[apiKeyEnv] : undefined
    const res = await fetch(`${baseUrl.replace(/\/+$/, '')}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ model, messages, temperature: ctx.config.temperature, max_tokens: ctx.config.maxTokens }),
      signal: ctx.signal,
    })
    const body = (await res.json().catch(() => ({}))) as {
      choices?: { message?: Message; finish_reason?: string }[]
      usage?: unknown
      error?: unknown
    }
    if (res.status === 429 || res.status >= 500) throw new Error(`chat endpoint answered ${res.status}`)
    if (!res.ok)
      throw new NonRetriableError(`chat endpoint answered ${res.status}: ${JSON.stringify(body.error ?? body).slice(0, 500)}`, {
        code: 'handler.llm-rejected',
      })
    const choice = body.choices?.[0]
    return { content: choice?.message?.content ?? '', finishReason: choice?.finish_reason ?? null, usage: body.usage ?? null }
  }
