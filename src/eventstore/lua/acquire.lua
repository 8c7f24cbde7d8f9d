-- Take the write lease of one aggregate and read its snapshot in one round trip.
-- KEYS[1] lease key, KEYS[2] fencing counter, KEYS[3] snapshot key; ARGV[1] lease TTL ms.
-- Returns {token, snapshot|false}, or {0, false} when another writer holds the lease.
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, false} end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token, 'PX', ARGV[1])
return {token, redis.call('GET', KEYS[3])}
