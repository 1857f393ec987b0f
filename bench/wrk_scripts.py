"""The Lua scripts bench/wrk.py gives `wrk` (Debian's package, built on LuaJIT).

ADJUST: each request a receipt of 1-5 or a sale of 1 of a random item at a random location, as
bench/client.py sends W1 (stock only grows), closed loop.

OPEN_LOOP: a fixed arrival rate, timed from each request's scheduled send. wrk's callbacks do not
say which connection they are for, so each thread drives one connection (`-t C -c C`), and each
connection is a Poisson process of rate R / C (the sum of C of them is a Poisson process of rate
R): the next send is scheduled an exponential gap after the previous *scheduled* one, `delay()`
waits until then, and a response's latency is its arrival less its scheduled send. A slow answer
therefore delays the sends scheduled behind it on its connection and their latency counts the
wait (no coordinated omission), as wrk2 does. Latencies are kept per thread and summed in `done`.
"""

_COMMON = r"""
local skus, locations, key
local function sku(i) return string.format("BENCH-%07d", i) end

local function adjustment()
  local i = math.random(0, skus - 1)
  local location = locations[math.random(1, #locations)]
  if math.random() < 0.5 then
    return string.format('{"item":"%s","location":"%s","reason":"receipt","delta":%d}', sku(i), location,
                         math.random(1, 5))
  end
  return string.format('{"item":"%s","location":"%s","reason":"sale","delta":-1}', sku(i), location)
end

local function post(path)
  local headers = {["Content-Type"] = "application/json"}
  if key ~= "-" then headers["Authorization"] = "Bearer " .. key end
  return wrk.format("POST", path, headers, adjustment())
end

local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local function configure(args)
  skus = tonumber(args[1])
  key = args[2]
  locations = {}
  for name in string.gmatch(args[3], "[^|]+") do table.insert(locations, name) end
  math.randomseed(tonumber(args[4]) + id * 7919)
end
"""

ADJUST = _COMMON + r"""
local path
function init(args)
  configure(args)
  path = args[5]
end

failed = 0  -- a global: `done` reads it from each thread
function request() return post(path) end
function response(status) if status < 200 or status > 299 then failed = failed + 1 end end

function done(summary, latency, requests)
  local errors = 0
  for _, thread in ipairs(threads) do errors = errors + thread:get("failed") end
  io.write(string.format("STATUS_ERRORS %d\n", errors))
end
"""

OPEN_LOOP = _COMMON + r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *t);
]]
local clock = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local rate_ms, path, scheduled, sent_at, started, warmup_ms
latencies = {}
failed = 0
late = 0

function init(args)
  configure(args)
  path = args[5]
  rate_ms = tonumber(args[6]) / 1000  -- this connection's arrivals per millisecond
  warmup_ms = tonumber(args[7])
  started = now_ms()
  scheduled = started + (-math.log(1 - math.random()) / rate_ms)
end

function delay()
  local wait = math.ceil(scheduled - now_ms())  -- whole milliseconds, never before the schedule
  if wait < 0 then return 0 end
  return wait
end

function request()
  sent_at = scheduled
  return post(path)
end

function response(status)
  local t = now_ms()
  if sent_at - started >= warmup_ms then
    table.insert(latencies, t - sent_at)
    if status < 200 or status > 299 then failed = failed + 1 end
  end
  scheduled = sent_at + (-math.log(1 - math.random()) / rate_ms)
  if scheduled < t then late = late + 1 end
end

function done(summary, latency, requests)
  local all, errors, behind = {}, 0, 0
  for _, thread in ipairs(threads) do
    for _, value in ipairs(thread:get("latencies")) do table.insert(all, value) end
    errors = errors + thread:get("failed")
    behind = behind + thread:get("late")
  end
  table.sort(all)
  local function pct(p)
    if #all == 0 then return 0 end
    local rank = math.max(1, math.min(#all, math.floor(p / 100 * #all + 0.5)))
    return all[rank]
  end
  io.write(string.format("OPEN_LOOP %d %.3f %.3f %.3f %d %d\n", #all, pct(50), pct(99), pct(99.9), errors, behind))
end
"""
