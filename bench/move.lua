-- The write: a plain-form stage move, as the pairing page posts it. Prepended by bench/run.py:
-- `targets` ({id, version, next stage, current stage} per open pairing), `csrf_token`, `cookie`,
-- `user_agent`. Each wrk thread takes its own share of the pairings and walks through them in
-- turn; on each pass a pairing moves forward one stage and on the next back again, carrying the
-- version it has by then (one more per pass), so every request is a real, non-stale move.
local counter = 0
local mine = {}
local next_thread = 0

setup = function(thread)
  thread:set("thread_number", next_thread)
  next_thread = next_thread + 1
end

init = function(args)
  for index, target in ipairs(targets) do
    if (index - 1) % thread_count == thread_number then
      mine[#mine + 1] = target
    end
  end
  headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Cookie"] = cookie
  headers["User-Agent"] = user_agent
end

request = function()
  local pass = math.floor(counter / #mine)
  local target = mine[(counter % #mine) + 1]
  counter = counter + 1
  local stage = target[3]
  if pass % 2 == 1 then stage = target[4] end
  local body = "stage=" .. stage .. "&version=" .. (target[2] + pass) .. "&note=&csrf_token=" ..
    csrf_token
  return wrk.format("POST", "/partnerships/" .. target[1] .. "/stage", headers, body)
end
