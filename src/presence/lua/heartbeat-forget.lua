-- Stops watching an agent unless it heartbeat again meanwhile. KEYS[1] last-seen sorted set;
-- ARGV[1] agent id; ARGV[2] the last-seen time the caller acted on. Returns 1 if removed.
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) == tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
