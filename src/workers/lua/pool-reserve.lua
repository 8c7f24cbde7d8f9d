-- How many worker processes this primary may run now, reserved atomically against the others' counts.
-- KEYS[1] members (zset), KEYS[2] counts (hash: primary id -> worker processes it runs)
-- ARGV[1] this primary's id, ARGV[2] its active processes, ARGV[3] its share, ARGV[4] the pool-wide target
-- Above its share it goes down to the share; below, it grows only as far as the others leave room
-- under the target (a primary that has not drained its surplus yet still counts).
local me, current, share, target = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local others = 0
local counts = redis.call('HGETALL', KEYS[2])
for i = 1, #counts, 2 do
  if counts[i] ~= me and redis.call('ZSCORE', KEYS[1], counts[i]) then others = others + tonumber(counts[i + 1]) end
end
local allowed
if current >= share then
  allowed = share
else
  allowed = math.max(current, math.min(share, target - others))
end
redis.call('HSET', KEYS[2], me, allowed)
return allowed
