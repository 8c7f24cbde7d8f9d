-- Hand out the next task of a pool: lowest score first (priority, then FIFO). Atomic, so no task
-- is handed out twice. KEYS[1] queue zset; ARGV[1] task entry key prefix.
-- Returns {task id, score, TaskQueued version} or nil when the queue is empty.
local popped = redis.call('ZPOPMIN', KEYS[1])
if #popped == 0 then return nil end
local version = redis.call('HGET', ARGV[1] .. popped[1], 'v') or '0'
return {popped[1], popped[2], version}
