-- Take the retries that are due, hiding each from other schedulers for a while (if this one dies
-- before queueing them, they come back). KEYS[1] schedule zset (member "<attempt>|<task id>",
-- score retryAt ms); ARGV[1] now (ms), ARGV[2] hidden until (ms), ARGV[3] limit.
-- Returns the members taken.
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], member) end
return due
