-- Records the state of brand-new aggregates (ids minted for the command, appended without a slot),
-- never overwriting a state that exists. A record holding only a writer's slot (a command that
-- arrived before the seed, and reads the log itself) gets the state too.
-- KEYS[1..n] aggregate records. ARGV[1] TTL ms; then 3 per record: version, state JSON, offset.
-- Returns per record 1 (seeded) or 0 (a state was there).
local ttl = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS do
  local a = 1 + (i - 1) * 3
  if redis.call('HEXISTS', KEYS[i], 'v') == 0 then
    redis.call('HSET', KEYS[i], 'v', ARGV[a + 1], 's', ARGV[a + 2], 'o', ARGV[a + 3])
    if redis.call('HEXISTS', KEYS[i], 'wt') == 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
