-- wrk script: CreateSecurityGroup into one VPC, every request a new group name.
--
-- Usage: wrk -t2 -c16 -d10s -s scripts/wrk/create-security-group.lua http://127.0.0.1:PORT/ VPC_ID [AUTHORIZATION]
--
-- Names are "<run>-t<thread>-<n>": a per-thread counter behind a per-thread prefix (wrk runs each thread in its own
-- Lua state, so the counter needs no locking), and a per-run stamp so a second run against the same server does not
-- collide with the first. AUTHORIZATION, if given, is sent as the Authorization header (servers that route on the
-- SigV4 credential scope need one; localvpc maps any key to an account). WRK_TAG (environment), if set, joins the
-- prefix: several wrk processes started in the same second (one per replica) then never pick the same name.

local threads = 0

function setup(thread)
    threads = threads + 1
    thread:set("thread_id", threads)
    thread:set("run", tostring(os.time()))
end

function init(args)
    vpc_id = args[1] or error("usage: ... create-security-group.lua URL VPC_ID [AUTHORIZATION]")
    headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
    if args[2] then
        headers["Authorization"] = args[2]
    end
    prefix = "r" .. run .. (os.getenv("WRK_TAG") or "") .. "-t" .. thread_id .. "-"
    counter = 0
end

function request()
    counter = counter + 1
    local body = "Action=CreateSecurityGroup&Version=2016-11-15&GroupName=" .. prefix .. counter
        .. "&GroupDescription=bench&VpcId=" .. vpc_id
    return wrk.format("POST", "/", headers, body)
end
