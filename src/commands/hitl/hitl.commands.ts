/** HITL request commands. Time (`now`) arrives inside commands: the decider stays pure. */
export type RaiseHitlRequest = Readonly<{
  type: 'RaiseHitlRequest'
  commandId: string
  taskId: string | null
  agentId: string | null
  projectId: string | null
  question: string
  /** the allowed answers; null lets the human answer freely */
  options: readonly string[] | null
  context: unknown
  expiresAt: number | null
  now: number
}>

export type RespondToHitlRequest = Readonly<{ type: 'RespondToHitlRequest'; response: unknown; respondedBy: string; now: number }>
/** `onlyIfDue`: the expiry loop expires only past the deadline; an operator may expire at once. */
export type ExpireHitlRequest = Readonly<{ type: 'ExpireHitlRequest'; now: number; onlyIfDue: boolean }>
/** `cancelTask: false` withdraws a request its task never started waiting for. */
export type CancelHitlRequest = Readonly<{ type: 'CancelHitlRequest'; reason: string | null; cancelTask: boolean }>

export type HitlCommand = RaiseHitlRequest | RespondToHitlRequest | ExpireHitlRequest | CancelHitlRequest
