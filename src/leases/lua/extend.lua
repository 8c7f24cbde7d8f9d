-- Extend a lease, only for the epoch that holds it and only while it has not expired: a lapsed
-- lease is the reaper's, even before it comes.
-- KEYS[1] lease index, KEYS[2] lease hash; ARGV[1] task id, ARGV[2] epoch, ARGV[3] new expires-at (ms), ARGV[4] now (ms).
-- Returns 1 when extended, 0 when the lease is gone, lapsed or belongs to another epoch.
if redis.call('HGET', KEYS[2], 'epoch') ~= ARGV[2] then return 0 end
local expiresAt = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not expiresAt or tonumber(expiresAt) < tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
return 1
