-- Claim an Idempotency-Key. KEYS[1] record key.
-- ARGV[1] new record JSON (state pending), ARGV[2] TTL seconds, ARGV[3] request fingerprint, ARGV[4] now ms.
-- Returns {'fresh', record} | {'retry', record} (an earlier attempt's outcome is unknown: reuse its ids)
--       | {'existing', record} (done, or still pending: the caller replays or refuses).
local cur = redis.call('GET', KEYS[1])
if not cur then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return {'fresh', ARGV[1]}
end
local rec = cjson.decode(cur)
local stale = rec.state == 'pending' and tonumber(rec.pendingUntil) < tonumber(ARGV[4])
if (rec.state == 'unknown' or stale) and rec.fingerprint == ARGV[3] then
  rec.state = 'pending'
  rec.pendingUntil = cjson.decode(ARGV[1]).pendingUntil
  local updated = cjson.encode(rec)
  redis.call('SET', KEYS[1], updated, 'EX', ARGV[2])
  return {'retry', updated}
end
return {'existing', cur}
