-- After reading an aggregate's events from the log past a writer's in-doubt append: stores the
-- folded state and clears the stale slot, only if it still carries the stale token the caller saw.
-- KEYS[1] aggregate record. ARGV[1] stale token, ARGV[2] version, ARGV[3] state JSON, ARGV[4] offset, ARGV[5] TTL ms.
-- Returns 1 (reconciled) or 0 (someone else did, or the slot moved on): the caller begins again either way.
if redis.call('HGET', KEYS[1], 'wt') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 's', ARGV[3], 'o', ARGV[4])
redis.call('HDEL', KEYS[1], 'wt', 'wd')
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[5]))
return 1
