# An installed package without a %REASON% field is explicit (pacman's default), and one
# with an unknown reason value.
local_add plain-a 1.0-1 - </dev/null
local_add plain-b 1.0-1 7 </dev/null
