-- wrk script of cmd/webhookbench. Each wrk thread has one connection and sends
-- the requests of its own file in order (<dir>/<thread>.txt, one request a line:
-- path, body and the text the reply must contain, tab-separated), so one
-- consumer's messages never overlap in flight. It counts the replies: ok (the
-- expected text), busy (the busy reply), other (anything else; the first is kept
-- as a sample) and bad (not HTTP 200), and whether the file ran out and started
-- over (wrapped). With "once" after the directory each thread stops at the end
-- of its file instead (the warm-up).
local next_id = 0
local threads = {}

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local reqs, expects = {}, {}
local i = 0
local busy_text = "系统繁忙"

function init(args)
  local f = assert(io.open(args[1] .. "/" .. id .. ".txt", "r"))
  for line in f:lines() do
    local path, body, expect = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    reqs[#reqs + 1] = wrk.format("POST", path, { ["Content-Type"] = "text/xml" }, body)
    expects[#expects + 1] = expect
  end
  f:close()
  once = args[2] == "once"
  n, ok, busy, other, bad, wrapped, sample = 0, 0, 0, 0, 0, 0, ""
end

function request()
  i = i + 1
  if i > #reqs then
    if once then
      wrk.thread:stop()
      i = #reqs
      return reqs[i] -- not sent: the thread stops before writing it
    end
    i = 1
    wrapped = wrapped + 1
  end
  return reqs[i]
end

function response(status, headers, body)
  n = n + 1
  if status ~= 200 then
    bad = bad + 1
  elseif body:find(busy_text, 1, true) then
    busy = busy + 1
  elseif body:find(expects[i], 1, true) then
    ok = ok + 1
  else
    other = other + 1
    if sample == "" then sample = body:gsub("%s+", " "):sub(1, 300) end
  end
end

function done(summary, latency, requests)
  local t = { ok = 0, busy = 0, other = 0, bad = 0, wrapped = 0 }
  local sample = ""
  for _, th in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + th:get(k) end
    if sample == "" then sample = th:get("sample") end
    io.write(string.format("SENT %d %d\n", th:get("id"), th:get("n")))
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d errors=%d ok=%d busy=%d other=%d bad=%d wrapped=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, t.ok, t.busy, t.other, t.bad, t.wrapped))
  if sample ~= "" then io.write("SAMPLE " .. sample .. "\n") end
end
