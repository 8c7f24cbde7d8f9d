/** What the dispatch consumer knows of one lane (one topic) when it decides. */
export type LaneSnapshot = Readonly<{
  /** batches of the lane being handed to slots right now */
  pendingBatches: number
  /** records of the lane waiting for a free slot */
  waitingForSlot: number
  /** when a batch of the lane last left records behind on the broker (0: caught up) */
  lagSeenAt: number
  /** whether the lane's topic is paused now */
  paused: boolean
}>

/** A worker process' lanes, highest priority first, and its slots. */
export type LaneState = Readonly<{
  lanes: readonly LaneSnapshot[]
  /** records running or waiting for a slot */
  inFlight: number
  /** how many records may be in flight at once */
  capacity: number
  draining: boolean
  now: number
  /** how long a lane's observed backlog keeps the lanes below it paused without new evidence */
  lagMemoryMs: number
}>

/** Lane indexes whose topic is to be paused or resumed; a lane already in the wanted state is in neither. */
export type LanePauses = Readonly<{ pause: readonly number[]; resume: readonly number[] }>

const busy = (lane: LaneSnapshot): boolean => lane.pendingBatches > 0 || lane.waitingForSlot > 0

const saturated = (state: LaneState): boolean => state.draining || state.inFlight >= state.capacity

/**
 * Everything pauses while draining or while the slots are saturated. Otherwise the highest lane
 * with work (a batch being handed out, a record waiting, or a backlog seen within lagMemoryMs)
 * keeps every lane below it paused, so a lower lane never takes a slot a higher one needs. Pure.
 */
export function decideLanePauses(state: LaneState): LanePauses {
  const full = saturated(state)
  const top = state.lanes.findIndex((lane) => busy(lane) || state.now - lane.lagSeenAt < state.lagMemoryMs)
  const pause: number[] = []
  const resume: number[] = []
  state.lanes.forEach((lane, i) => {
    const wanted = full || (top >= 0 && i > top)
    if (wanted && !lane.paused) pause.push(i)
    if (!wanted && lane.paused) resume.push(i)
  })
  return { pause, resume }
}

/**
 * Whether a record of lane `lane` may take a slot now: not while draining or saturated, nor while
 * a higher lane has a batch being handed out or a record waiting (an older backlog does not stop
 * a batch already fetched). Pure.
 */
export function laneTakesRecord(state: LaneState, lane: number): boolean {
  return !saturated(state) && !state.lanes.slice(0, lane).some(busy)
}
