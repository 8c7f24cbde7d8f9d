-- Drop a lease, only for the epoch that holds it.
-- KEYS[1] lease index, KEYS[2] lease hash; ARGV[1] task id, ARGV[2] epoch. Returns 1 when released.
if redis.call('HGET', KEYS[2], 'epoch') ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
