export const HitlStatus = ['pending', 'answered', 'expired', 'cancelled'] as const
export type HitlStatus = (typeof HitlStatus)[number]

/** What the HITL decider needs to know. JSON-serialisable: it is the snapshot. */
export type HitlState =
  | Readonly<{ exists: false }>
  | Readonly<{
      exists: true
      status: HitlStatus
      /** commandId of the RaiseHitlRequest: a retried raise is recognised */
      raisedBy: string
      taskId: string | null
      question: string
      options: readonly string[] | null
      expiresAt: number | null
      /** JSON text of the answer */
      response: string | null
      respondedBy: string | null
    }>

export type ExistingHitl = Extract<HitlState, { exists: true }>
