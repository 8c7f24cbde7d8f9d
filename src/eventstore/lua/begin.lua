-- Takes the write slot of many aggregates in one round trip, each until now + budget (server time).
-- Aggregate record (hash): v version, s state JSON, o offset of its last event, wt writer token, wd writer deadline (ms).
-- KEYS[1] fencing counter; KEYS[2..n] aggregate records.
-- ARGV[1] budget ms; ARGV[i] (i >= 2) the version the caller holds of KEYS[i] (-1: none).
-- Returns, per record:
--   {1, token, version}                  taken; the caller's state is current
--   {1, token, version, state, offset}   taken; the record's state (false when there is none)
--   {2, waitMs}                          another writer holds it until its deadline
--   {3, staleToken, version, state, offset}  a writer's deadline passed without commit or abort: its append
--                                        is in doubt, so the caller reconciles from the log first
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local budget = tonumber(ARGV[1])
local out = {}
for i = 2, #KEYS do
  local k = KEYS[i]
  local r = redis.call('HMGET', k, 'v', 'wt', 'wd', 'o', 's')
  local v = tonumber(r[1]) or 0
  if r[2] then
    local wd = tonumber(r[3]) or 0
    if wd > now then
      out[#out + 1] = {2, wd - now}
    else
      out[#out + 1] = {3, r[2], v, r[5] or false, r[4] or false}
    end
  else
    local token = redis.call('INCR', KEYS[1])
    redis.call('HSET', k, 'wt', token, 'wd', now + budget)
    -- A record never expires while a writer holds it.
    redis.call('PERSIST', k)
    if tonumber(ARGV[i]) == v and r[1] then
      out[#out + 1] = {1, token, v}
    else
      out[#out + 1] = {1, token, v, r[5] or false, r[4] or false}
    end
  end
end
return out
