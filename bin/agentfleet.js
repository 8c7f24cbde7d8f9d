#!/usr/bin/env node
// Node 24 runs the TypeScript sources directly (type stripping); no build step needed. The compile
// cache keeps the stripped and compiled modules between runs: every role starts ~30% faster.
import * as nodeModule from 'node:module'

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 24 || (major === 24 && minor < 6)) {
  console.error(
    `agentfleet needs Node 24.6 or newer; this is Node ${process.versions.node}.\n` +
      "Run it through npm, which puts the project's own Node 24 first on the PATH (`npm install` brings it):\n" +
      '  npm run agentfleet -- <command>     or     npx agentfleet <command>',
  )
  process.exit(1)
}
nodeModule.enableCompileCache?.()
await import('../src/cli.ts')
