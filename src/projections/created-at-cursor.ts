/** A keyset cursor on (created_at, id), newest first: the listing order of most read models. */
export type Cursor = Readonly<{ createdAt: string; id: string }>

export const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url')

export function decodeCursor(raw: string): Cursor | undefined {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as [string, string]
    return typeof createdAt === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(createdAt)) ? { createdAt, id } : undefined
  } catch {
    return undefined
  }
}
