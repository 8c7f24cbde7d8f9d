import { execFile } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const version = '1.12.1'

/**
 * Apache Avro's reference tools (Java), fetched from Maven Central once and cached under
 * .stack/tools: an Avro decoder that shares no code with ours.
 */
export async function avroToolsJar(): Promise<string> {
  const dir = resolve('.stack', 'tools')
  const jar = join(dir, `avro-tools-${version}.jar`)
  if (!existsSync(jar)) {
    mkdirSync(dir, { recursive: true })
    await run('mvn', ['-q', '-B', 'dependency:copy', `-Dartifact=org.apache.avro:avro-tools:${version}`, `-DoutputDirectory=${dir}`], {
      timeout: 300_000,
    })
  }
  return jar
}
