-- Records the state of brand-new aggregates (ids minted for the command, appended without a slot),
-- never overwriting a record that exists.
-- KEYS[1..n] aggregate records. ARGV[1] TTL ms; then 3 per record: version, state JSON, offset.
-- Returns per record 1 (seeded) or 0 (a record was there).
local ttl = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS do
  local a = 1 + (i - 1) * 3
  if redis.call('EXISTS', KEYS[i]) == 0 then
    redis.call('HSET', KEYS[i], 'v', ARGV[a + 1], 's', ARGV[a + 2], 'o', ARGV[a + 3])
    redis.call('PEXPIRE', KEYS[i], ttl)
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
