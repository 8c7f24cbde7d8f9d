-- Take a task out of its queue because a later event moved it on (claimed, started, cancelled ...).
-- KEYS[1] task entry hash; ARGV[1] task id, ARGV[2] event version, ARGV[3] queue key prefix,
-- ARGV[4] seconds to remember the version (so a redelivered older TaskQueued cannot re-add it).
-- Returns 1 when the version was applied, 0 for a stale or repeated event.
local seen = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if seen >= tonumber(ARGV[2]) then return 0 end
local pool = redis.call('HGET', KEYS[1], 'pool')
if pool then redis.call('ZREM', ARGV[3] .. pool, ARGV[1]) end
redis.call('HSET', KEYS[1], 'v', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
