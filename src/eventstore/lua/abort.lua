-- Frees the write slot of aggregates whose writer appended nothing (no events, a refusal, a record
-- never sent), each only if it still carries the caller's token. The state stays as it was.
-- KEYS[1..n] aggregate records. ARGV[1] snapshot TTL ms; ARGV[1 + i] the token for KEYS[i].
-- Returns per record 1 (freed) or 0.
local ttl = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS do
  if redis.call('HGET', KEYS[i], 'wt') == ARGV[1 + i] then
    redis.call('HDEL', KEYS[i], 'wt', 'wd')
    if redis.call('HEXISTS', KEYS[i], 'v') == 1 then redis.call('PEXPIRE', KEYS[i], ttl) else redis.call('DEL', KEYS[i]) end
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
