import { InvalidArgumentError } from 'commander'

/** commander argument parsers: bad values fail before anything connects. */
export const nonNegativeInt = (value: string): number => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer')
  return n
}

export const positiveInt = (value: string): number => {
  const n = nonNegativeInt(value)
  if (n === 0) throw new InvalidArgumentError('expected a positive integer')
  return n
}

export const isoTime = (value: string): Date => {
  const d = new Date(value)
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(d.getTime()))
    throw new InvalidArgumentError('expected an ISO time such as 2025-01-31T12:00:00Z')
  return d
}

export const commaList = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

export const print = (line: string): void => {
  process.stdout.write(`${line}\n`)
}
