# A depend that both a package of that name and another package's provides satisfy (each is
# required), an optional depend with a version and a reason, and a provider whose provided
# name is also required through its real name.
local_add needs-x 1.0-1 0 <<'D'
%DEPENDS%
libx
libopt-user

%OPTDEPENDS%
libopt>=2: for the options
D
local_add libx 1.0-1 1 </dev/null
local_add libx-git 1.1-1 1 <<'D'
%PROVIDES%
libx=1.1
D
local_add libopt 3.0-1 1 </dev/null
local_add libopt-user 1.0-1 1 <<'D'
%PROVIDES%
libopt-user=1.0
D
