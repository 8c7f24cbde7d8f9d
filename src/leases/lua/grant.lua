-- Grant (or take over) the run lease of a task for one fencing epoch.
-- KEYS[1] lease index (zset), KEYS[2] lease hash of the task; ARGV[1] task id, ARGV[2] epoch,
-- ARGV[3] holder, ARGV[4] pool, ARGV[5] expires-at (ms). A lease of a newer epoch is never replaced.
local current = tonumber(redis.call('HGET', KEYS[2], 'epoch') or '-1')
if current > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[2], 'epoch', ARGV[2], 'holder', ARGV[3], 'pool', ARGV[4])
redis.call('ZADD', KEYS[1], ARGV[5], ARGV[1])
return 1
