import { describe, expect, it } from 'vitest'
import { withJsonFields } from '../src/stream/json-fields.ts'

describe('event data for live-stream clients', () => {
  it('turns the JSON documents Avro carries as text into JSON values, also in workflow steps, and leaves the rest alone', () => {
    expect(
      withJsonFields({
        title: '{"not":"a json field"}',
        payload: '{"n":1}',
        metadata: '{}',
        result: 'null',
        handlerConfig: 'not json',
        steps: [{ stepId: 'a', payload: '[1,2]' }],
      }),
    ).toEqual({
      title: '{"not":"a json field"}',
      payload: { n: 1 },
      metadata: {},
      result: null,
      handlerConfig: 'not json',
      steps: [{ stepId: 'a', payload: [1, 2] }],
    })
  })
})
