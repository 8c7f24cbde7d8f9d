-- Store the new snapshot and release the lease, only if the lease still carries our token.
-- KEYS[1] lease key, KEYS[2] snapshot key; ARGV[1] token, ARGV[2] snapshot JSON.
-- Returns 1 on success, 0 when the token no longer matches (another writer took over).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('DEL', KEYS[1])
return 1
