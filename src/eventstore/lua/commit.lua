-- Stores the new state of aggregates whose append landed and frees their write slot, each only if
-- the slot still carries the caller's token (nobody reconciled it in between).
-- KEYS[1..n] aggregate records. ARGV[1] snapshot TTL ms; then 4 per record: token, version, state JSON, offset.
-- Returns per record 1 (committed) or 0 (the slot was taken over).
local ttl = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS do
  local a = 1 + (i - 1) * 4
  if redis.call('HGET', KEYS[i], 'wt') == ARGV[a + 1] then
    redis.call('HSET', KEYS[i], 'v', ARGV[a + 2], 's', ARGV[a + 3], 'o', ARGV[a + 4])
    redis.call('HDEL', KEYS[i], 'wt', 'wd')
    redis.call('PEXPIRE', KEYS[i], ttl)
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
