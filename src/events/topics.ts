/** Topic and subject naming, in one place. */
export const eventTopic = (prefix: string, aggregate: string): string => `${prefix}.${aggregate}.events`

/** TopicRecordNameStrategy: `<topic>-<record full name>`. */
export const subjectName = (topic: string, recordFullName: string): string => `${topic}-${recordFullName}`

export const projectionGroup = (prefix: string, projection: string): string => `${prefix}.projection.${projection}`
