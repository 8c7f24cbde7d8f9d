import { silenceKnownWarnings } from '../../src/infra/known-warnings.ts'

silenceKnownWarnings()
