/**
 * Errors carry a stable `code` (never an HTTP status: http/problem-details.ts maps codes)
 * and a `retriable` flag so retry loops decide by type, not by message.
 */
export class AppError extends Error {
  readonly code: string
  readonly retriable: boolean
  readonly details: Readonly<Record<string, unknown>> | undefined
  constructor(code: string, message: string, options: { retriable?: boolean; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.retriable = options.retriable ?? false
    this.details = options.details
  }
}

/** A command the domain refuses (invalid transition, rule broken). */
export class DomainError extends AppError {}

/** Input that does not have the required shape. */
export class ValidationError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('request.invalid', message, { details })
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super(`${what}.not-found`, `${what} ${id} does not exist`, { details: { id } })
  }
}

/** Another writer holds or took the aggregate; safe to retry. */
export class ConcurrencyError extends AppError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, { retriable: true, details })
  }
}

/** The outcome of an append is unknown (timeout): retry with the same Idempotency-Key. */
export class UnknownOutcomeError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('append.outcome-unknown', message, { retriable: true, cause })
  }
}

/** A dependency (Kafka, registry, Postgres, Redis) cannot be reached. */
export class ServiceUnavailableError extends AppError {
  constructor(service: string, hint: string, cause?: unknown) {
    super('service.unavailable', `${service} is not reachable. ${hint}`, { retriable: true, cause, details: { service } })
  }
}

/** A handler failure that retrying cannot fix (bad input, 4xx): the task fails without retries. */
export class NonRetriableError extends AppError {
  constructor(message: string, options: { code?: string; cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(options.code ?? 'handler.non-retriable', message, { retriable: false, cause: options.cause, details: options.details })
  }
}
