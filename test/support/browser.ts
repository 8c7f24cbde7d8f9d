import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

export const artifactsDir = join(import.meta.dirname, '..', '..', 'test-artifacts')

export type Browser = Readonly<{ context: BrowserContext; page: Page; problems: string[]; close: () => Promise<void> }>

/**
 * Debian's headless Chromium with a fresh profile. Every console error and uncaught page error
 * lands in `problems`, so a test can fail on them.
 */
export async function openBrowser(): Promise<Browser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'agentfleet-chromium-'))
  await mkdir(artifactsDir, { recursive: true })
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  })
  const page = context.pages()[0] ?? (await context.newPage())
  const problems: string[] = []
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()} (${msg.location().url})`)
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  return {
    context,
    page,
    problems,
    close: async () => {
      await context.close()
      await rm(userDataDir, { recursive: true, force: true })
    },
  }
}

export const screenshot = (page: Page, name: string, fullPage = true) =>
  page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage })
