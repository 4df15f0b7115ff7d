-- Loaded by the load scripts that pick at random (dofile at their top). wrk starts every thread's Lua state with the
-- same fixed seed, so without this both threads, and every run, ask for the same units in the same order: each
-- request repeats the other thread's of a moment before and each run the one before it, which flatters any cache.
-- Here every thread of every run gets a seed of its own; ZI_SEED fixes the run's seeds to repeat a run exactly.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("zi_thread", threads)
end

function init(args)
  math.randomseed((tonumber(os.getenv("ZI_SEED")) or os.time()) * 64 + zi_thread)
end
