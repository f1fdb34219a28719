# Versioned provides: a dependency satisfied by a provider's version is required; one whose
# provided version does not satisfy the depend is not (pacman -Qdt lists it), nor is one
# that provides without a version against a versioned depend.
local_add app 1.0-1 0 <<'D'
%DEPENDS%
libfoo>=1.5
libbar>=2
libbaz>=1
libqux=3.0
D
local_add foo-provider 1.0-1 1 <<'D'
%PROVIDES%
libfoo=2.0
D
local_add bar-provider 1.0-1 1 <<'D'
%PROVIDES%
libbar=1.0
D
local_add baz-provider 1.0-1 1 <<'D'
%PROVIDES%
libbaz
D
local_add qux-provider 1.0-1 1 <<'D'
%PROVIDES%
libqux=3.0-1
D
