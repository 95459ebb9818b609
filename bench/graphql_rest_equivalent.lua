-- wrk script: the REST calls equivalent to one GraphQL prompts-with-versions query, in turn:
-- the list of 50, then each listed prompt's versions. The paths come one per line from the
-- file named by the first script argument (`wrk ... -s this.lua -- paths.txt`).
local paths = {}
local next_index = 1

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
end

function request()
  local path = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format("GET", path)
end
