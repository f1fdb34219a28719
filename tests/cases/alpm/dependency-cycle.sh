# Two dependencies that need each other and nothing else needs: pacman -Qdt lists neither
# (each is required by the other); a third needed only by the cycle is not listed either.
local_add cyc-a 1.0-1 1 <<'D'
%DEPENDS%
cyc-b
D
local_add cyc-b 1.0-1 1 <<'D'
%DEPENDS%
cyc-a
cyc-c>=2
D
local_add cyc-c 2.1-1 1 </dev/null
