// Rewrites the configuration table in README.md from src/config.ts.
import { readFileSync, writeFileSync } from 'node:fs'
import { configTable, configTableMarkers } from '../src/config-docs.ts'

const readme = readFileSync('README.md', 'utf8')
const start = readme.indexOf(configTableMarkers.start)
const end = readme.indexOf(configTableMarkers.end)
if (start < 0 || end < start) throw new Error('README.md lacks the config-table markers')
writeFileSync('README.md', `${readme.slice(0, start + configTableMarkers.start.length)}\n${configTable()}\n${readme.slice(end)}`)
console.log('README.md configuration table updated')
