-- wrk script for bench/checkin.py: every request is a check-in with a code never sent before.
--
-- Configuration comes from the environment (wrk gives script arguments to the
-- worker threads only, and done() runs in the main Lua state):
--   KIOSK_BENCH_CODES    file with one signed invitation code per line
--   KIOSK_BENCH_FIRST    0-based line of the first code this run may use
--   KIOSK_BENCH_COUNT    how many codes (from FIRST) this run may use
--   KIOSK_BENCH_THREADS  wrk's -t; thread i takes the i-th equal slice of those codes
--   KIOSK_BENCH_EVENT    event id
--   KIOSK_BENCH_TOKEN    device bearer token
--   KIOSK_BENCH_RESULT   where done() writes its JSON summary
--
-- request() hands out the thread's codes in order and never wraps around: when
-- a thread's slice is used up it counts the overflow, stops the thread and
-- sends a harmless GET /healthz instead, so no code is ever scanned twice.

local threads = {}
local thread_count = 0

function setup(thread)
   thread:set("tid", thread_count)
   thread_count = thread_count + 1
   table.insert(threads, thread)
end

local function env_number(name)
   local value = tonumber(os.getenv(name) or "")
   if value == nil then
      error("missing or bad environment variable " .. name)
   end
   return value
end

function init(args)
   local first = env_number("KIOSK_BENCH_FIRST")
   local count = env_number("KIOSK_BENCH_COUNT")
   local nthreads = env_number("KIOSK_BENCH_THREADS")
   local event_id = env_number("KIOSK_BENCH_EVENT")
   local token = os.getenv("KIOSK_BENCH_TOKEN")
   local per_thread = math.floor(count / nthreads)
   slice_lo = first + tid * per_thread          -- 0-based line numbers, inclusive
   local hi = slice_lo + per_thread - 1

   codes = {}
   local line_no = 0
   for line in io.lines(os.getenv("KIOSK_BENCH_CODES")) do
      if line_no > hi then break end
      if line_no >= slice_lo then codes[#codes + 1] = line end
      line_no = line_no + 1
   end

   headers = {
      ["Authorization"] = "Bearer " .. token,
      ["Content-Type"] = "application/json",
   }
   body_format = '{"code":"%s","event_id":' .. event_id .. ',"gate":"A","scan_id":"bench-%d"}'
   next_code = 1
   sent, ok, other_200, non_200, exhausted = 0, 0, 0, 0, 0
end

function request()
   if next_code > #codes then
      exhausted = exhausted + 1
      wrk.thread:stop()
      return wrk.format("GET", "/healthz")
   end
   local code = codes[next_code]
   -- the scan id is the code's line number in the file: unique across runs and threads
   local body = string.format(body_format, code, slice_lo + next_code - 1)
   next_code = next_code + 1
   sent = sent + 1
   return wrk.format("POST", "/api/v1/checkins", headers, body)
end

function response(status, headers, body)
   if status == 200 then
      if body and string.find(body, '"status"%s*:%s*"ok"') then
         ok = ok + 1
      else
         other_200 = other_200 + 1
      end
   else
      non_200 = non_200 + 1
   end
end

function done(summary, latency, requests)
   local totals = { sent = 0, ok = 0, other_200 = 0, non_200 = 0, exhausted = 0 }
   local used = {}
   for i, thread in ipairs(threads) do
      for key, _ in pairs(totals) do
         totals[key] = totals[key] + (thread:get(key) or 0)
      end
      used[i] = thread:get("sent") or 0
   end
   local e = summary.errors
   local fields = {
      string.format('"duration_us":%d', summary.duration),
      string.format('"requests":%d', summary.requests),
      string.format('"bytes":%d', summary.bytes),
      string.format('"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d',
                    e.connect, e.read, e.write, e.status, e.timeout),
      string.format('"lat_min_us":%d,"lat_max_us":%d,"lat_mean_us":%.1f,"lat_stdev_us":%.1f',
                    latency.min, latency.max, latency.mean, latency.stdev),
      string.format('"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d',
                    latency:percentile(50), latency:percentile(90), latency:percentile(99),
                    latency:percentile(99.9)),
   }
   for key, value in pairs(totals) do
      fields[#fields + 1] = string.format('"%s":%d', key, value)
   end
   local per_thread = {}
   for i, n in ipairs(used) do per_thread[i] = tostring(n) end
   fields[#fields + 1] = '"sent_per_thread":[' .. table.concat(per_thread, ",") .. ']'
   local out = assert(io.open(os.getenv("KIOSK_BENCH_RESULT"), "w"))
   out:write("{" .. table.concat(fields, ",") .. "}\n")
   out:close()
end
