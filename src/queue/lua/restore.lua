-- Put back a popped task whose claim could not be decided (a dependency was down), unless the task
-- moved on meanwhile. KEYS[1] task entry hash, KEYS[2] queue zset; ARGV[1] task id, ARGV[2] the
-- version it was popped with, ARGV[3] score, ARGV[4] wake-up channel ('' = wake nobody). Returns 1 when restored.
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[2] then return 0 end
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[1])
if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[4], ARGV[1]) end
return 1
