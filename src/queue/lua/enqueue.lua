-- Put a task into its pool's queue, unless a newer event of the task was already applied.
-- KEYS[1] task entry hash, KEYS[2] queue zset of the pool; ARGV[1] task id, ARGV[2] TaskQueued
-- version, ARGV[3] pool, ARGV[4] score, ARGV[5] queue key prefix (for the previous pool's zset),
-- ARGV[6] wake-up channel. Returns 1 when queued, 0 for a stale or repeated event.
local seen = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if seen >= tonumber(ARGV[2]) then return 0 end
local previous = redis.call('HGET', KEYS[1], 'pool')
if previous and previous ~= ARGV[3] then redis.call('ZREM', ARGV[5] .. previous, ARGV[1]) end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'pool', ARGV[3], 'score', ARGV[4])
redis.call('PERSIST', KEYS[1])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
redis.call('PUBLISH', ARGV[6], ARGV[1])
return 1
