-- wrk script: POSTs Telegram text updates, each with a new update_id and chat id,
-- so every request is a new message in a new conversation (nothing is deduplicated away).
local counter = 0
local thread_base = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_base", threads * 100000000 + (os.time() % 1000) * 1000000000)
end

function init(args)
  thread_base = tonumber(thread_base) or 0
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Telegram-Bot-Api-Secret-Token"] = os.getenv("BENCH_SECRET") or "bench-secret"

function request()
  counter = counter + 1
  local id = thread_base + counter
  local body = string.format(
    '{"update_id":%d,"message":{"message_id":%d,"date":1441645532,"chat":{"id":%d,"type":"private","first_name":"Bench"},' ..
    '"from":{"id":%d,"first_name":"Bench"},"text":"oi, tudo bem?"}}', id, id, id, id)
  return wrk.format(nil, nil, nil, body)
end
