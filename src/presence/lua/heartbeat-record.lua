-- Records a heartbeat. KEYS[1] last-seen sorted set; KEYS[2] the agent's alive key.
-- ARGV[1] heartbeat time (ms); ARGV[2] agent id; ARGV[3] timeout (ms, the alive key's TTL).
-- Returns 1 when the agent was being watched already, 0 when it was not (new or marked offline).
local prev = redis.call('ZSCORE', KEYS[1], ARGV[2])
if (not prev) or tonumber(prev) < tonumber(ARGV[1]) then redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
if prev then return 1 end
return 0
