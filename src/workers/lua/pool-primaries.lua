-- One scaling poll of one primary of a pool: keeps it a member, elects one scaler, reads the pool-wide target.
-- KEYS[1] members (zset: primary id -> expiry ms), KEYS[2] scaler (string: primary id, expires),
-- KEYS[3] desired (string), KEYS[4] counts (hash: primary id -> worker processes it runs)
-- ARGV[1] this primary's id, ARGV[2] ttl ms
-- Returns {isScaler (0|1), desired (false when none yet), member ids in order...}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local me, ttl = ARGV[1], tonumber(ARGV[2])
-- A primary that stopped polling drops out, and its processes no longer count.
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do redis.call('HDEL', KEYS[4], gone) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + ttl, me)
redis.call('PEXPIRE', KEYS[1], ttl * 2)
redis.call('PEXPIRE', KEYS[4], ttl * 2)
local scaler = 0
if redis.call('GET', KEYS[2]) == me then
  redis.call('PEXPIRE', KEYS[2], ttl)
  scaler = 1
elseif redis.call('SET', KEYS[2], me, 'NX', 'PX', ttl) then
  scaler = 1
end
local out = {scaler, redis.call('GET', KEYS[3]) or false}
-- Ordered by id, so every primary computes the same shares.
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
table.sort(members)
for _, m in ipairs(members) do out[#out + 1] = m end
return out
