-- wrk script: POSTs Telegram text updates, each with a new update_id and chat id,
-- so every request is a new message in a new conversation (nothing is deduplicated away).
local counter = 0
local base = 0
local threads = 0

-- `thread:set` sets a global in the thread's state; a file-level local of the same name would
-- hide it, and every thread would then send the same update ids (half the load duplicates).
function setup(thread)
  threads = threads + 1
  thread:set("thread_base", threads * 100000000 + (os.time() % 1000) * 1000000000)
end

function init(args)
  base = assert(tonumber(thread_base), "setup gave this thread no base")
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Telegram-Bot-Api-Secret-Token"] = os.getenv("BENCH_SECRET") or "bench-secret"

function request()
  counter = counter + 1
  local id = base + counter
  local body = string.format(
    '{"update_id":%d,"message":{"message_id":%d,"date":1441645532,"chat":{"id":%d,"type":"private","first_name":"Bench"},' ..
    '"from":{"id":%d,"first_name":"Bench"},"text":"oi, tudo bem?"}}', id, id, id, id)
  return wrk.format(nil, nil, nil, body)
end
